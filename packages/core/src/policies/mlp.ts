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

/**
 * a [1, n, k] times b [1, k, m], plus bias [m], then LeakyReLU with the given slope (none for
 * null), as one kernel: [1, n, m]. Called directly, not through tf.fused.matMul, which wraps the
 * kernel in reshapes and a gradient op of its own.
 */
function dense(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  bias: tf.Tensor1D,
  leak: number | null,
): tf.Tensor3D {
  const attrs = {
    transposeA: false,
    transposeB: false,
    activation: leak === null ? 'linear' : 'leakyrelu',
    leakyreluAlpha: leak ?? 0,
  };
  return tf.engine().runKernel(tf._FusedMatMul, { a, b, bias }, attrs) as tf.Tensor3D;
}

/** a [1, n, k] times b [1, k, m] as one kernel (tf.matMul adds three reshapes). */
function matMul3d(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const attrs = { transposeA: false, transposeB: false };
  return tf.engine().runKernel(tf.BatchMatMul, { a, b }, attrs) as tf.Tensor3D;
}

/** Whether a gradient tape is recording (inside tf.grads / tf.variableGrads). */
function recordingGradients(): boolean {
  return tf.engine().isTapeOn();
}

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
  private readonly views: { dataId: object; view: tf.Tensor3D }[] = [];

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
    this.weights.forEach((_, l) => this.weightView(l));
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
      const x = tf.tensor3d(feats, [1, n, f]); // [1, n, F]
      const out = recordingGradients()
        ? (this.differentiable(x, ...this.variables) as tf.Tensor3D)
        : this.layers(x, null);
      return tf.reshape(out, [n, this.outDim]);
    });
  }

  /**
   * Layer l's weights as [1, in, out], the rank the fused kernels take; remade only after the
   * optimizer has replaced the variable's data.
   */
  private weightView(l: number): tf.Tensor3D {
    const w = this.weights[l]!;
    const cached = this.views[l];
    if (cached && cached.dataId === w.dataId) return cached.view;
    cached?.view.dispose();
    const view = tf.keep(tf.reshape(w, [1, ...w.shape] as [number, number, number])) as tf.Tensor3D;
    this.views[l] = { dataId: w.dataId, view };
    return view;
  }

  /**
   * The layers, each one fused kernel (matMul + bias + LeakyReLU). With `save`, keeps each layer's
   * input for the gradient: LeakyReLU keeps the sign, so a layer's output tells where its
   * pre-activation was positive.
   */
  private layers(x: tf.Tensor3D, save: ((tensors: tf.Tensor[]) => void) | null): tf.Tensor3D {
    const last = this.weights.length - 1;
    const inputs: tf.Tensor3D[] = [];
    const views: tf.Tensor3D[] = [];
    let h = x;
    for (let l = 0; l <= last; l++) {
      inputs.push(h);
      views.push(this.weightView(l));
      h = dense(h, views[l]!, this.biases[l] as tf.Tensor1D, l < last ? this.leak : null); // [1, n, sizes[l+1]]
    }
    save?.([...inputs, ...views]);
    return h;
  }

  /**
   * The network as one differentiable op with a hand-written backward pass: per layer, dW = h^T g,
   * db = sum of g, and g W^T times LeakyReLU's slope for the layer below. One tape node instead of
   * one per kernel, and explicit transposes (the wasm backend's transposed matMul is slow).
   */
  private readonly differentiable = tf.customGrad(((...args: unknown[]) => {
    const x = args[0] as tf.Tensor3D;
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    const value = this.layers(x, save);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const layers = this.weights.length;
      const inputs = saved.slice(0, layers) as tf.Tensor3D[];
      const views = saved.slice(layers) as tf.Tensor3D[];
      const grads: tf.Tensor[] = [];
      let g = dy as tf.Tensor3D; // [1, n, sizes[l+1]]: d loss / d pre-activation of layer l
      for (let l = layers - 1; l >= 0; l--) {
        const input = inputs[l]!; // [1, n, sizes[l]]
        const dW = matMul3d(tf.transpose(input, [0, 2, 1]), g); // [1, sizes[l], sizes[l+1]]
        grads.unshift(tf.reshape(dW, this.weights[l]!.shape), tf.sum(g, [0, 1]));
        if (l === 0) break;
        const dh = matMul3d(g, tf.transpose(views[l]!, [0, 2, 1])); // [1, n, sizes[l]]
        g = tf.where(tf.greater(input, 0), dh, tf.mul(dh, this.leak)) as tf.Tensor3D;
      }
      return [tf.zerosLike(x), ...grads];
    };
    return { value, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0]);

  toJSON(): SerializedEstimator {
    return {
      type: 'mlp',
      config: { ...this.config },
      weights: this.variables.map(serializeTensor),
    };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const { view } of this.views) view.dispose();
  }
}
