import * as tf from '@tensorflow/tfjs';
import { GfnInternalError, NonFiniteError } from '../errors.js';
import {
  type SerializedTensor,
  deserializeTensor,
  serializeValues,
} from '../policies/estimator.js';

/** An optimizer's state: its slot variables, iteration count and Adam's bias corrections. */
export interface SerializedOptimizer {
  iterations: number;
  /** First moments of every variable, then second moments, in the variables' order. */
  slots: SerializedTensor[];
  /** beta1^t and beta2^t. */
  biasCorrection: number[] | null;
}

/** Variables that share a learning rate, with a name for error messages. */
export interface ParamGroup {
  variables: readonly tf.Variable[];
  lr: number;
  /** Names of the variables for messages, e.g. 'network parameter 2', 'log Z'. */
  names: readonly string[];
}

/**
 * Adam (Kingma & Ba, 2015) with PyTorch's update and constants, over every parameter of a run in
 * one pass of plain arithmetic: each gradient is read once and checked for non-finite entries
 * before anything changes, and each variable is written once. tfjs's own Adam runs about a dozen
 * kernels per variable and step; at this project's network sizes their dispatch costs more than
 * the arithmetic (and the wasm backend's element-wise kernels are no faster than this loop). Each
 * group keeps its learning rate (the network's, and log Z's).
 *
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
 *   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
export class Adam {
  private readonly variables: tf.Variable[];
  private readonly names: string[];
  private readonly lrs: number[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(
    private readonly groups: readonly ParamGroup[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    this.variables = groups.flatMap((g) => [...g.variables]);
    this.names = groups.flatMap((g) => g.variables.map((_, i) => g.names[i] ?? `parameter ${i}`));
    this.lrs = groups.flatMap((g) => g.variables.map(() => g.lr));
    this.m = this.variables.map((x) => new Float32Array(x.size));
    this.v = this.variables.map((x) => new Float32Array(x.size));
  }

  /**
   * One update from gradients keyed by variable name (a missing one leaves its variable's moments
   * decaying, as a zero gradient would). Throws a NonFiniteError naming the parameter, and changes
   * nothing, when any gradient entry is not finite.
   */
  apply(grads: tf.NamedTensorMap): void {
    const values = this.variables.map((x) => {
      const g = grads[x.name];
      return g ? (g.dataSync() as Float32Array) : null;
    });
    values.forEach((g, i) => {
      if (g && !allFinite(g)) {
        throw new NonFiniteError('gradient', `the gradient of ${this.names[i]} is not finite`);
      }
    });
    this.t += 1;
    this.beta1Power *= this.beta1;
    this.beta2Power *= this.beta2;
    const c1 = 1 - this.beta1Power;
    const c2 = 1 - this.beta2Power;
    const updated = this.variables.map((x, i) => {
      // A copy: on the cpu backend, dataSync gives the variable's own storage.
      const p = (x.dataSync() as Float32Array).slice();
      const g = values[i] ?? new Float32Array(p.length);
      adamUpdate(p, g, this.m[i]!, this.v[i]!, this, this.lrs[i]! / c1, c2);
      return tf.tensor(p, x.shape);
    });
    this.variables.forEach((x, i) => x.assign(updated[i]!));
    tf.dispose(updated);
  }

  /** The state of each group, in the layout tfjs's Adam used (first moments, then second). */
  save(): SerializedOptimizer[] {
    let at = 0;
    return this.groups.map((group) => {
      const k = group.variables.length;
      const range = [at, at + k] as const;
      at += k;
      const slot = (values: Float32Array, j: number): SerializedTensor =>
        serializeValues(values, group.variables[j]!.shape);
      return {
        iterations: this.t,
        slots: [...this.m.slice(...range).map(slot), ...this.v.slice(...range).map(slot)],
        biasCorrection: [this.beta1Power, this.beta2Power],
      };
    });
  }

  /** Restores the state of each group (also one saved by tfjs's Adam, the same layout). */
  restore(saved: readonly SerializedOptimizer[]): void {
    let at = 0;
    this.groups.forEach((group, gi) => {
      const s = saved[gi]!;
      const k = group.variables.length;
      const m = this.m.slice(at, at + k);
      const v = this.v.slice(at, at + k);
      at += k;
      if (s.slots.length === 0 && s.iterations === 0) {
        for (const a of [...m, ...v]) a.fill(0);
        return;
      }
      if (s.slots.length !== 2 * k) {
        throw new GfnInternalError(
          'checkpoint',
          `the saved optimizer has ${s.slots.length} slots, this model needs ${2 * k}`,
        );
      }
      s.slots.forEach((slot, i) => {
        const target = i < k ? m[i]! : v[i - k]!;
        const values = deserializeTensor(slot);
        if (values.length !== target.length) {
          throw new GfnInternalError('checkpoint', `saved optimizer slot ${i} has the wrong size`);
        }
        target.set(values);
      });
    });
    const first = saved[0]!;
    this.t = first.iterations;
    [this.beta1Power, this.beta2Power] = first.biasCorrection ?? [
      this.beta1 ** first.iterations,
      this.beta2 ** first.iterations,
    ];
  }
}

/**
 * One Adam step of every entry, in place: a monomorphic loop with no calls to globals (a test
 * runner's vm context makes each call to Math or Number many times slower).
 */
function adamUpdate(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  { beta1, beta2, epsilon }: { beta1: number; beta2: number; epsilon: number },
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
    p[k] = p[k]! - (step * mk) / ((vk * inv) ** 0.5 + epsilon);
  }
}

/** x - x is 0 for a finite x and NaN for NaN and the infinities (no global calls in the loop). */
function allFinite(values: Float32Array): boolean {
  let sum = 0;
  for (let k = 0; k < values.length; k++) sum += values[k]! - values[k]!;
  return sum === 0;
}
