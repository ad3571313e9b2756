import * as tf from '@tensorflow/tfjs';
import type { DiscreteEnv } from '../env/env.js';
import { backwardActionsOf, formatState } from '../env/state-utils.js';
import { GfnInternalError } from '../errors.js';
import type { BackwardPolicy } from '../policies/backward.js';
import { MASKED, type PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { gatherRows } from './gather.js';

/**
 * Per-transition arrays shared by the trajectory-based objectives. Row i is transition i of the
 * batch (see Trajectories); for a non-exit row the next state is row i+1.
 */
export interface TransitionArrays {
  n: number;
  b: number;
  states: Int32Array; // [N * D]
  actionOneHot: Float32Array; // [N * A]
  forwardLogMask: Float32Array; // [N * A], 0 or MASKED
  isExit: Float32Array; // [N]
  /** log R(x) on exit rows, 0 elsewhere. */
  exitLogReward: Float32Array; // [N]
  logRewards: Float32Array; // [B]
  /** Fixed backward policy: log P_B(s_i | s_{i+1}) of every non-exit row; 0 on exit rows. */
  fixedLogPB: Float32Array; // [N]
  /** Learned backward policy: one-hot of the backward action undoing row i (zeros on exit rows). */
  backOneHot?: Float32Array; // [N * A']
  backwardLogMask?: Float32Array; // [N * A'], mask of the state of row i
}

export function prepareTransitions(
  batch: Trajectories,
  backward: BackwardPolicy,
): TransitionArrays {
  const env = batch.env;
  const n = batch.numTransitions;
  const b = batch.count;
  const a = env.numActions;
  const ab = env.numBackwardActions;
  const d = env.stateDim;
  const states = batch.states;

  const forwardLogMask = forwardLogMaskOf(env, states, n);
  const actionOneHot = new Float32Array(n * a);
  const isExit = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    actionOneHot[i * a + batch.actions[i]!] = 1;
    if (batch.actions[i] === env.exitAction) isExit[i] = 1;
  }
  const exitLogReward = new Float32Array(n);
  const logRewards = Float32Array.from(batch.logRewards);
  for (let t = 0; t < b; t++) exitLogReward[batch.exitRow(t)] = logRewards[t]!;

  // The backward action undoing each non-exit row, read at the next state (row i+1).
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!isExit[i]) rows.push(i);
  const m = rows.length;
  const parents = new Int32Array(m * d);
  const children = new Int32Array(m * d);
  const acts = new Int32Array(m);
  rows.forEach((i, k) => {
    parents.set(states.subarray(i * d, (i + 1) * d), k * d);
    children.set(states.subarray((i + 1) * d, (i + 2) * d), k * d);
    acts[k] = batch.actions[i]!;
  });
  const backActs = backwardActionsOf(env, parents, acts, children, m);

  const fixedLogPB = new Float32Array(n);
  if (!backward.learned) {
    const childMask = new Uint8Array(m * ab);
    env.backwardMask(children, m, childMask);
    const logProbs = new Float32Array(m * ab);
    backward.fixedLogProbs!(children, m, childMask, logProbs);
    rows.forEach((i, k) => {
      const lp = logProbs[k * ab + backActs[k]!]!;
      if (!Number.isFinite(lp)) {
        throw new GfnInternalError(
          'invalid-action',
          `${env.name}: backward policy '${backward.name}' gives probability 0 to the step from ` +
            `${formatState(env, children, k)} back to ${formatState(env, parents, k)}`,
        );
      }
      fixedLogPB[i] = lp;
    });
  }
  const out: TransitionArrays = {
    n,
    b,
    states,
    actionOneHot,
    forwardLogMask,
    isExit,
    exitLogReward,
    logRewards,
    fixedLogPB,
  };
  if (backward.learned) {
    const backMask = new Uint8Array(n * ab);
    env.backwardMask(states, n, backMask);
    const backOneHot = new Float32Array(n * ab);
    rows.forEach((i, k) => (backOneHot[i * ab + backActs[k]!] = 1));
    const backwardLogMask = new Float32Array(n * ab);
    for (let k = 0; k < n * ab; k++) if (!backMask[k]) backwardLogMask[k] = MASKED;
    out.backOneHot = backOneHot;
    out.backwardLogMask = backwardLogMask;
  }
  return out;
}

/** The forward mask of n states as a logMask (added to logits): 0 where allowed, MASKED elsewhere. */
export function forwardLogMaskOf(env: DiscreteEnv, states: Int32Array, n: number): Float32Array {
  const a = env.numActions;
  const mask = new Uint8Array(n * a);
  env.forwardMask(states, n, mask);
  const logMask = new Float32Array(n * a);
  for (let k = 0; k < n * a; k++) if (!mask[k]) logMask[k] = MASKED;
  return logMask;
}

/**
 * Where each trajectory's transitions sit among the batch's rows, padded to the longest
 * trajectory: `rows[b * width + j]` is the j-th transition of trajectory b, or N (a row of zeros
 * that trajectoryLogRatio appends) past its end. Memory grows as B x (longest trajectory), linear
 * in the batch size.
 */
export function trajectoryRows(batch: Trajectories): { rows: Int32Array; width: number } {
  const n = batch.numTransitions;
  let width = 0;
  for (let t = 0; t < batch.count; t++) {
    width = Math.max(width, batch.starts[t + 1]! - batch.starts[t]!);
  }
  const rows = new Int32Array(batch.count * width).fill(n);
  for (let t = 0; t < batch.count; t++) {
    for (let i = batch.starts[t]!; i < batch.starts[t + 1]!; i++) {
      rows[t * width + i - batch.starts[t]!] = i;
    }
  }
  return { rows, width };
}

/** log pi(a_i | s_i) of every row's action under the model's forward policy. */
export function forwardLogProbs(logits: tf.Tensor2D, x: TransitionArrays): tf.Tensor1D {
  const a = logits.shape[1];
  const masked = tf.add(logits, tf.tensor2d(x.forwardLogMask, [x.n, a])); // [N, A]
  const logp = tf.logSoftmax(masked); // [N, A]
  return tf.sum(tf.mul(logp, tf.tensor2d(x.actionOneHot, [x.n, a])), 1); // [N]
}

/**
 * log P_B(s_i | s_{i+1}) of every non-exit row (0 on exit rows): fixed, or from the model's
 * backward head evaluated at the next state (row i+1).
 */
export function backwardLogProbs(
  model: PolicyModel,
  backLogits: tf.Tensor2D | undefined,
  x: TransitionArrays,
): tf.Tensor1D {
  if (!model.heads.learnedBackward || !backLogits || !x.backOneHot || !x.backwardLogMask) {
    return tf.tensor1d(x.fixedLogPB);
  }
  const ab = backLogits.shape[1];
  const logp = tf.logSoftmax(tf.add(backLogits, tf.tensor2d(x.backwardLogMask, [x.n, ab]))); // [N, A']
  const next = tf.concat([tf.slice(logp, [1, 0], [x.n - 1, ab]), tf.zeros([1, ab])], 0); // [N, A']
  return tf.sum(tf.mul(next, tf.tensor2d(x.backOneHot, [x.n, ab])), 1); // [N]
}

/** The state-flow head at s0, log F(s0): the flow-based objectives' estimate of log Z. */
export function initialLogFlow(model: PolicyModel): number {
  const flow = tf.tidy(() => model.outputs(model.env.initialState, 1).logFlow);
  if (!flow) throw new GfnInternalError('capability', 'the model has no state-flow head');
  const value = flow.dataSync()[0]!;
  flow.dispose();
  return value;
}

/** log P_F of every row's own state's exit action (MASKED-level where exit is forbidden). */
export function exitLogProbs(
  logits: tf.Tensor2D,
  x: TransitionArrays,
  exitAction: number,
): tf.Tensor1D {
  const a = logits.shape[1];
  const logp = tf.logSoftmax(tf.add(logits, tf.tensor2d(x.forwardLogMask, [x.n, a])));
  return tf.reshape(tf.slice(logp, [0, exitAction], [x.n, 1]), [x.n]);
}

/**
 * log P_F(tau) - log P_B(tau | x) of every trajectory: the per-transition log-ratios summed
 * along each trajectory (`rows` and `width` from trajectoryRows).
 */
export function trajectoryLogRatio(
  model: PolicyModel,
  x: TransitionArrays & { rows: Int32Array; width: number },
): tf.Tensor1D {
  const out = model.outputs(x.states, x.n);
  const logPF = forwardLogProbs(out.logits, x); // [N]
  const logPB = backwardLogProbs(model, out.backLogits, x); // [N]
  const perRow = tf.concat([tf.sub(logPF, logPB), tf.zeros([1])]); // [N + 1], zero for padding
  const padded = gatherRows(tf.reshape(perRow, [x.n + 1, 1]), x.rows); // [B * W, 1]
  return tf.sum(tf.reshape(padded, [x.b, x.width]), 1); // [B]
}
