import * as tf from '@tensorflow/tfjs';
import { GfnInternalError, UserError } from '../errors.js';
import type { DiscreteEnv } from '../env/env.js';
import { MASKED, type PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { logSumExp } from '../metrics/state-graph.js';
import type { Loss, LossOptions } from './loss.js';
import { type Penalty, SquaredPenalty } from './penalty.js';
import { gatherRows } from './gather.js';
import { forwardLogMaskOf } from './transitions.js';

interface Prepared {
  n: number;
  b: number;
  k: number;
  /** The distinct states among the visited states and their parents: one network pass. */
  unique: Int32Array; // [U * D]
  u: number;
  /** Row i's state among the distinct states. */
  rowIndex: Int32Array; // [N]
  forwardLogMask: Float32Array; // [N * A]
  exitOneHot: Float32Array; // [N * A], one-hot of exit on exit rows
  isExit: Float32Array; // [N]
  exitLogReward: Float32Array; // [N]
  /** 1 on rows whose state is not s0 (they have parents). */
  hasParents: Float32Array; // [N]
  /** The edge (parent j of row i, its action) as an index into the flattened [U * A] logits. */
  parentEdge: Int32Array; // [N * K]
  parentLogMask: Float32Array; // [N * K], 0 for a real parent, MASKED for padding
}

/**
 * Flow matching in log space (Bengio et al., 2021, "Flow Network based Generative Models for
 * Non-Iterative Diverse Candidate Generation", eq. 12), with the exit-action formulation of
 * torchgfn's FMGFlowNet. The forward logits are log edge flows log F(s -> s'). For every visited
 * state s' other than s0:
 *
 *   L_flow(s') = g( log sum_{(s,a) in parents(s')} F(s, a) - log sum_{a allowed in s'} F(s', a) )
 *
 * and for every terminating state x, the exit edge must carry the reward:
 *
 *   L_reward(x) = g( log F(x, exit) - log R(x) )
 *
 * The loss is the mean of L_flow over visited states plus the mean of L_reward over trajectories;
 * g is the residual penalty (squared by default).
 * It needs the env's `parents`. The network runs once per batch, on the distinct states among the
 * visited states and their parents; edge flows are gathered from that one output.
 */
export class FlowMatching implements Loss<Prepared> {
  readonly name = 'fm';
  readonly heads = { learnedBackward: false, stateFlow: false };
  readonly usesLogZ = false;
  private readonly penalty: Penalty;

  constructor(options: LossOptions) {
    requireParents(options.env);
    if (options.backward.name !== 'uniform') {
      throw new UserError(
        "loss 'fm' has no backward policy (it matches flows through the env's parents); " +
          "use '--backward uniform'",
      );
    }
    this.penalty = options.penalty ?? new SquaredPenalty();
  }

  prepare(batch: Trajectories): Prepared {
    const env = batch.env;
    const parentsOf = requireParents(env);
    const n = batch.numTransitions;
    const a = env.numActions;
    const d = env.stateDim;
    const states = batch.states;

    const forwardLogMask = forwardLogMaskOf(env, states, n);

    const isExit = new Float32Array(n);
    const exitOneHot = new Float32Array(n * a);
    const exitLogReward = new Float32Array(n);
    for (let t = 0; t < batch.count; t++) {
      const r = batch.exitRow(t);
      isExit[r] = 1;
      exitOneHot[r * a + env.exitAction] = 1;
      exitLogReward[r] = batch.logRewards[t]!;
    }

    // Every visited state and every parent, each once, for one pass of the network.
    const index = new Map<string, number>();
    const unique: number[] = [];
    const indexOf = (state: Int32Array): number => {
      const key = state.join(',');
      let at = index.get(key);
      if (at === undefined) {
        at = index.size;
        index.set(key, at);
        for (let j = 0; j < d; j++) unique.push(state[j]!);
      }
      return at;
    };
    const rowIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) rowIndex[i] = indexOf(states.subarray(i * d, (i + 1) * d));

    const hasParents = new Float32Array(n);
    const lists = [];
    let k = 1;
    for (let i = 0; i < n; i++) {
      const p = parentsOf(states.subarray(i * d, (i + 1) * d));
      lists.push(p);
      if (p.actions.length > 0) hasParents[i] = 1;
      k = Math.max(k, p.actions.length);
    }
    const parentEdge = new Int32Array(n * k);
    const parentLogMask = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const p = lists[i]!;
      const count = p.actions.length;
      for (let j = 0; j < k; j++) {
        const slot = i * k + j;
        if (j < count) {
          parentEdge[slot] = indexOf(p.states.subarray(j * d, (j + 1) * d)) * a + p.actions[j]!;
        } else {
          // Padding: any finite edge of the batch; the logMask removes it.
          parentEdge[slot] = rowIndex[i]! * a + env.exitAction;
          parentLogMask[slot] = MASKED;
        }
      }
    }
    return {
      n,
      b: batch.count,
      k,
      unique: Int32Array.from(unique),
      u: index.size,
      rowIndex,
      forwardLogMask,
      exitOneHot,
      isExit,
      exitLogReward,
      hasParents,
      parentEdge,
      parentLogMask,
    };
  }

  compute(x: Prepared, model: PolicyModel): tf.Scalar {
    const a = model.env.numActions;
    const all = model.outputs(x.unique, x.u).logits; // [U, A]
    const logits = gatherRows(all, x.rowIndex); // [N, A]
    const outflow = tf.logSumExp(tf.add(logits, tf.tensor2d(x.forwardLogMask, [x.n, a])), 1); // [N]
    const edge = tf.reshape(gatherRows(tf.reshape(all, [x.u * a, 1]), x.parentEdge), [-1]); // [N*K]
    const padded = tf.reshape(tf.add(edge, tf.tensor1d(x.parentLogMask)), [x.n, x.k]); // [N, K]
    const inflow = tf.logSumExp(padded, 1); // [N]
    const hasParents = tf.tensor1d(x.hasParents);
    const flowTerm = tf.div(
      tf.sum(this.penalty.apply(tf.mul(hasParents, tf.sub(inflow, outflow)))),
      Math.max(1, sumOf(x.hasParents)),
    );
    const exitFlow = tf.sum(tf.mul(logits, tf.tensor2d(x.exitOneHot, [x.n, a])), 1); // [N]
    const rewardTerm = tf.div(
      tf.sum(
        this.penalty.apply(
          tf.mul(tf.tensor1d(x.isExit), tf.sub(exitFlow, tf.tensor1d(x.exitLogReward))),
        ),
      ),
      x.b,
    );
    return tf.add(flowTerm, rewardTerm);
  }

  /** log Z = log of the total flow out of s0. */
  estimateLogZ(model: PolicyModel): number {
    const { env } = model;
    const logits = model.forwardLogits(env.initialState, 1);
    const mask = new Uint8Array(env.numActions);
    env.forwardMask(env.initialState, 1, mask);
    return logSumExp(logits.filter((_, q) => mask[q] === 1));
  }
}

function sumOf(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function requireParents(env: DiscreteEnv): NonNullable<DiscreteEnv['parents']> {
  if (!env.parents) {
    throw new UserError(
      `loss 'fm' (flow matching) needs the parents of each state, and env '${env.name}' does not ` +
        'provide parents(); choose a loss that uses a backward policy instead (tb, db)',
    );
  }
  const parents = env.parents.bind(env);
  return (state) => {
    const p = parents(state);
    if (p.states.length !== p.actions.length * env.stateDim) {
      throw new GfnInternalError('shape', `${env.name}.parents returned mismatched arrays`);
    }
    return p;
  };
}
