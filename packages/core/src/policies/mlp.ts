import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { DiscreteEnv } from '../env/env.js';
import { Rng } from '../util/rng.js';
import {
  type Estimator,
  type SerializedEstimator,
  deserializeTensor,
  serializeTensor,
} from './estimator.js';

export interface MlpConfig {
  hidden: number[];
  outDim: number;
  /** Negative slope of the LeakyReLU between layers. */
  leak?: number;
}

/**
 * A multilayer perceptron over the env's features, LeakyReLU between layers. Weights and biases
 * start uniform in +-1/sqrt(fan_in), as PyTorch's nn.Linear does, so that runs compare with
 * torchgfn's from the first step.
 */
export class MlpEstimator implements Estimator {
  readonly outDim: number;
  readonly variables: tf.Variable[];
  private readonly weights: tf.Variable[];
  private readonly biases: tf.Variable[];
  private readonly leak: number;
  private features: Float32Array = new Float32Array(0);

  constructor(
    private readonly env: DiscreteEnv,
    private readonly config: MlpConfig,
    init: Rng | Float32Array[],
  ) {
    this.outDim = config.outDim;
    this.leak = config.leak ?? 0.01;
    const sizes = [env.featureDim, ...config.hidden, config.outDim];
    this.weights = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      let w: Float32Array;
      let b: Float32Array;
      if (init instanceof Rng) {
        const bound = 1 / Math.sqrt(fanIn);
        w = new Float32Array(fanIn * fanOut).map(() => init.uniform(-bound, bound));
        b = new Float32Array(fanOut).map(() => init.uniform(-bound, bound));
      } else {
        w = init[2 * l]!;
        b = init[2 * l + 1]!;
        if (!w || !b || w.length !== fanIn * fanOut || b.length !== fanOut) {
          throw new GfnInternalError(
            'checkpoint',
            `MLP layer ${l}: saved weights do not match sizes ${fanIn}x${fanOut}`,
          );
        }
      }
      this.weights.push(tf.variable(tf.tensor2d(w, [fanIn, fanOut])));
      this.biases.push(tf.variable(tf.tensor1d(b)));
    }
    this.variables = this.weights.flatMap((w, l) => [w, this.biases[l]!]);
  }

  static fromJSON(env: DiscreteEnv, s: SerializedEstimator): MlpEstimator {
    const config = s.config as unknown as MlpConfig;
    return new MlpEstimator(env, config, s.weights.map(deserializeTensor));
  }

  apply(states: Int32Array, n: number): tf.Tensor2D {
    const f = this.env.featureDim;
    if (this.features.length < n * f) this.features = new Float32Array(n * f);
    const feats = this.features.subarray(0, n * f);
    this.env.featurize(states, n, feats);
    return tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(feats, [n, f]);
      const last = this.weights.length - 1;
      this.weights.forEach((w, l) => {
        h = tf.add(tf.matMul(h, w), this.biases[l]!); // [n, sizes[l+1]]
        if (l < last) h = tf.leakyRelu(h, this.leak);
      });
      return h;
    });
  }

  toJSON(): SerializedEstimator {
    return {
      type: 'mlp',
      config: { ...this.config },
      weights: this.variables.map(serializeTensor),
    };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
