import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { HypergridEnv } from '../testing/hypergrid.js';
import { Rng } from '../util/rng.js';
import { MlpEstimator } from './mlp.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** The same network written with plain tfjs ops, differentiated by tfjs. */
function reference(mlp: MlpEstimator, features: tf.Tensor2D, leak: number): tf.Tensor2D {
  const vars = mlp.variables;
  let h = features;
  for (let l = 0; l < vars.length; l += 2) {
    h = tf.add(tf.matMul(h, vars[l] as tf.Tensor2D), vars[l + 1]!);
    if (l + 2 < vars.length) h = tf.leakyRelu(h, leak);
  }
  return h;
}

describe('MlpEstimator', () => {
  const env = new HypergridEnv({ ndim: 2, height: 4 });
  const states = Int32Array.from([0, 0, 1, 2, 3, 3, 2, 0, 1, 1]);
  const n = 5;

  test('its hand-written gradient matches tfjs autodiff of the same network', () => {
    const mlp = new MlpEstimator(env, { hidden: [8, 6], outDim: 3, leak: 0.1 }, new Rng(3));
    const feats = new Float32Array(n * env.featureDim);
    env.featurize(states, n, feats);
    const weights = tf.tensor2d(
      [0.3, -1, 2, 0.5, 0.1, -0.7, 1, 1, -2, 0.2, 0.9, -0.4, 0, 3, 1],
      [n, 3],
    );
    const loss = (out: tf.Tensor2D): tf.Scalar => tf.sum(tf.mul(tf.square(out), weights));
    const ours = tf.variableGrads(() => loss(mlp.apply(states, n)), mlp.variables);
    const theirs = tf.variableGrads(
      () => loss(reference(mlp, tf.tensor2d(feats, [n, env.featureDim]), 0.1)),
      mlp.variables,
    );
    expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0]!, 4);
    for (const v of mlp.variables) {
      const a = ours.grads[v.name]!.dataSync();
      const b = theirs.grads[v.name]!.dataSync();
      expect(a.length).toBe(b.length);
      a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 4));
    }
    tf.dispose([ours.value, theirs.value, weights, ...Object.values(ours.grads)]);
    tf.dispose(Object.values(theirs.grads));
    mlp.dispose();
  });

  test('outside a gradient tape it gives the same values and keeps no tensors', () => {
    const mlp = new MlpEstimator(env, { hidden: [8], outDim: 3 }, new Rng(5));
    const before = tf.memory().numTensors;
    const out = mlp.apply(states, n);
    const feats = new Float32Array(n * env.featureDim);
    env.featurize(states, n, feats);
    const ref = tf.tidy(() => reference(mlp, tf.tensor2d(feats, [n, env.featureDim]), 0.01));
    const a = out.dataSync();
    ref.dataSync().forEach((x, i) => expect(a[i]).toBeCloseTo(x, 5));
    tf.dispose([out, ref]);
    expect(tf.memory().numTensors).toBe(before);
    mlp.dispose();
  });
});
