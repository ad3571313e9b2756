import * as tf from '@tensorflow/tfjs';
import type { DiscreteEnv } from '../env/env.js';
import { GfnInternalError } from '../errors.js';
import type { Estimator, SerializedEstimator } from './estimator.js';

/** Additive mask: 0 where an action is allowed, a large negative number where it is not. */
export const MASKED = -1e9;

export interface PolicyHeads {
  /** A learned backward policy head; otherwise the backward policy is fixed (e.g. uniform). */
  learnedBackward: boolean;
  /** The learned backward logits come from a network of their own, not the shared trunk. */
  separateBackward?: boolean;
  /** A state log-flow head, log F(s) (detailed balance). */
  stateFlow: boolean;
}

export interface PolicyOutputs {
  logits: tf.Tensor2D; // [n, A]
  backLogits?: tf.Tensor2D; // [n, A']
  logFlow?: tf.Tensor1D; // [n]
}

export interface SerializedModel {
  format: 'gflownet-ts/model@1';
  heads: PolicyHeads;
  logZ: number;
  estimator: SerializedEstimator;
  backwardEstimator?: SerializedEstimator;
}

/**
 * The GFlowNet's parameters: one estimator whose output row is split into forward logits, optional
 * backward logits and an optional log-flow, plus a scalar log Z. Forward logits double as log
 * edge flows for flow matching. With `separateBackward`, the backward logits come from a second
 * estimator instead of the shared trunk.
 */
export class PolicyModel {
  readonly logZ: tf.Variable;

  constructor(
    readonly env: DiscreteEnv,
    readonly estimator: Estimator,
    readonly heads: PolicyHeads,
    logZ = 0,
    readonly backwardEstimator?: Estimator,
  ) {
    const want = PolicyModel.outputWidth(env, heads);
    if (estimator.outDim !== want) {
      throw new GfnInternalError(
        'shape',
        `estimator gives ${estimator.outDim} outputs per state, the policy needs ${want}`,
      );
    }
    const separate = heads.learnedBackward && heads.separateBackward === true;
    if (separate !== (backwardEstimator !== undefined)) {
      throw new GfnInternalError('shape', 'a separate backward network needs its own estimator');
    }
    if (backwardEstimator && backwardEstimator.outDim !== env.numBackwardActions) {
      throw new GfnInternalError(
        'shape',
        `backward estimator gives ${backwardEstimator.outDim} outputs, the env has ${env.numBackwardActions} backward actions`,
      );
    }
    this.logZ = tf.variable(tf.scalar(logZ));
  }

  static outputWidth(env: DiscreteEnv, heads: PolicyHeads): number {
    return (
      env.numActions +
      (heads.learnedBackward && !heads.separateBackward ? env.numBackwardActions : 0) +
      (heads.stateFlow ? 1 : 0)
    );
  }

  /** All heads for a batch of states; call inside `tf.tidy`. */
  outputs(states: Int32Array, n: number): PolicyOutputs {
    const out = this.estimator.apply(states, n); // [n, W]
    const a = this.env.numActions;
    const width = out.shape[1];
    const result: PolicyOutputs = { logits: width === a ? out : tf.slice(out, [0, 0], [n, a]) };
    let col = a;
    if (this.backwardEstimator) {
      result.backLogits = this.backwardEstimator.apply(states, n);
    } else if (this.heads.learnedBackward) {
      const ab = this.env.numBackwardActions;
      result.backLogits = tf.slice(out, [0, col], [n, ab]);
      col += ab;
    }
    if (this.heads.stateFlow) result.logFlow = tf.reshape(tf.slice(out, [0, col], [n, 1]), [n]);
    return result;
  }

  /**
   * Forward logits as plain numbers, for sampling (no gradient). Only the forward network runs:
   * a separate backward network is not evaluated.
   */
  forwardLogits(states: Int32Array, n: number): Float32Array {
    const t = tf.tidy(() => {
      const out = this.estimator.apply(states, n); // [n, W]
      const a = this.env.numActions;
      return out.shape[1] === a ? out : tf.slice(out, [0, 0], [n, a]);
    });
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  }

  get netVariables(): tf.Variable[] {
    return [...this.estimator.variables, ...(this.backwardEstimator?.variables ?? [])];
  }

  toJSON(): SerializedModel {
    return {
      format: 'gflownet-ts/model@1',
      heads: { ...this.heads },
      logZ: this.logZ.dataSync()[0]!,
      estimator: this.estimator.toJSON(),
      ...(this.backwardEstimator ? { backwardEstimator: this.backwardEstimator.toJSON() } : {}),
    };
  }

  dispose(): void {
    this.estimator.dispose();
    this.backwardEstimator?.dispose();
    this.logZ.dispose();
  }
}

/**
 * The forward policy's probabilities pi(a|s) (masked softmax of the logits), row by row, in chunks
 * so that large state sets fit in memory.
 */
export function policyProbabilities(
  model: PolicyModel,
  states: Int32Array,
  n: number,
): Float32Array {
  const { env } = model;
  const a = env.numActions;
  const d = env.stateDim;
  const out = new Float32Array(n * a);
  const mask = new Uint8Array(a * 4096);
  for (let start = 0; start < n; start += 4096) {
    const m = Math.min(4096, n - start);
    const chunk = states.subarray(start * d, (start + m) * d);
    const logits = model.forwardLogits(chunk, m);
    env.forwardMask(chunk, m, mask);
    for (let i = 0; i < m; i++) softmaxRow(logits, mask, i, a, 1, out, (start + i) * a);
  }
  return out;
}

/**
 * Masked softmax of row i of `logits` at temperature t, written to out[offset..offset+a).
 * Disallowed actions get probability 0.
 */
export function softmaxRow(
  logits: Float32Array,
  mask: Uint8Array,
  i: number,
  a: number,
  t: number,
  out: Float32Array | Float64Array,
  offset: number,
): void {
  let max = -Infinity;
  for (let k = 0; k < a; k++) {
    if (mask[i * a + k]) max = Math.max(max, logits[i * a + k]! / t);
  }
  let sum = 0;
  for (let k = 0; k < a; k++) {
    const p = mask[i * a + k] ? Math.exp(logits[i * a + k]! / t - max) : 0;
    out[offset + k] = p;
    sum += p;
  }
  for (let k = 0; k < a; k++) out[offset + k]! /= sum;
}
