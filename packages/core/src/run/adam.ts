import * as tf from '@tensorflow/tfjs';
import { GfnInternalError, NonFiniteError } from '../errors.js';
import {
  type SerializedTensor,
  deserializeTensor,
  serializeTensor,
} from '../policies/estimator.js';

/** An optimizer's state: its slot variables, iteration count and Adam's bias corrections. */
export interface SerializedOptimizer {
  iterations: number;
  /** First moments of every variable, then second moments, in the variables' order. */
  slots: SerializedTensor[];
  /** beta1^t and beta2^t. */
  biasCorrection: number[] | null;
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's update and constants, over all of a model's variables
 * in one pass of plain arithmetic: each gradient is read once, checked for non-finite entries
 * before anything changes, and each variable is written once. tfjs's own Adam runs about a dozen
 * kernels per variable and step; at this project's network sizes their dispatch costs more than
 * the arithmetic.
 *
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
 *   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = variables.map((x) => new Float32Array(x.size));
    this.v = variables.map((x) => new Float32Array(x.size));
  }

  /**
   * Applies one update from gradients given in the variables' order (a missing gradient counts as
   * zero). Throws a NonFiniteError naming the variable, and changes nothing, when any gradient
   * entry is not finite.
   */
  apply(grads: readonly (tf.Tensor | undefined)[], names: readonly string[] = []): void {
    const values = grads.map((g) => (g ? (g.dataSync() as Float32Array).slice() : null));
    values.forEach((g, i) => {
      if (g && !allFinite(g)) {
        throw new NonFiniteError(
          'gradient',
          `the gradient of ${names[i] ?? `parameter ${i}`} is not finite`,
        );
      }
    });
    this.t += 1;
    this.beta1Power *= this.beta1;
    this.beta2Power *= this.beta2;
    const { beta1, beta2, epsilon } = this;
    const c1 = 1 - this.beta1Power;
    const c2 = 1 - this.beta2Power;
    const step = this.lr / c1;
    const updated = this.variables.map((variable, i) => {
      const p = (variable.dataSync() as Float32Array).slice();
      const g = values[i] ?? new Float32Array(p.length);
      adamUpdate(p, g, this.m[i]!, this.v[i]!, beta1, beta2, epsilon, step, c2);
      return tf.tensor(p, variable.shape);
    });
    this.variables.forEach((variable, i) => variable.assign(updated[i]!));
    tf.dispose(updated);
  }

  save(): SerializedOptimizer {
    const shapes = this.variables.map((x) => x.shape);
    const slots = [...this.m, ...this.v].map((values, i) => {
      const t = tf.tensor(values, shapes[i % shapes.length]);
      const serialized = serializeTensor(t);
      t.dispose();
      return serialized;
    });
    return {
      iterations: this.t,
      slots,
      biasCorrection: [this.beta1Power, this.beta2Power],
    };
  }

  /** Restores a saved state (also one saved by tfjs's Adam, which used the same layout). */
  restore(saved: SerializedOptimizer): void {
    const k = this.variables.length;
    if (saved.slots.length !== 2 * k && !(saved.iterations === 0 && saved.slots.length === 0)) {
      throw new GfnInternalError(
        'checkpoint',
        `the saved optimizer has ${saved.slots.length} slots, this model needs ${2 * k}`,
      );
    }
    saved.slots.forEach((slot, i) => {
      const target = i < k ? this.m[i]! : this.v[i - k]!;
      const values = deserializeTensor(slot);
      if (values.length !== target.length) {
        throw new GfnInternalError('checkpoint', `saved optimizer slot ${i} has the wrong size`);
      }
      target.set(values);
    });
    this.t = saved.iterations;
    [this.beta1Power, this.beta2Power] = saved.biasCorrection ?? [
      this.beta1 ** saved.iterations,
      this.beta2 ** saved.iterations,
    ];
  }
}

/** One Adam step of every entry, in place (a monomorphic loop V8 compiles tightly). */
function adamUpdate(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  beta1: number,
  beta2: number,
  epsilon: number,
  step: number,
  c2: number,
): void {
  const n = p.length;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  const inv = 1 / c2;
  for (let k = 0; k < n; k++) {
    const gk = g[k]!;
    const mk = beta1 * m[k]! + a1 * gk;
    const vk = beta2 * v[k]! + a2 * gk * gk;
    m[k] = mk;
    v[k] = vk;
    p[k] = p[k]! - (step * mk) / (Math.sqrt(vk * inv) + epsilon);
  }
}

function allFinite(values: Float32Array): boolean {
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) return false;
  return true;
}
