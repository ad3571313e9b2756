import * as tf from '@tensorflow/tfjs';
import { checkedLogReward } from '../env/state-utils.js';
import { UserError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import { logSumExp } from '../metrics/state-graph.js';
import {
  type TransitionArrays,
  backwardLogProbs,
  exitLogProbs,
  forwardLogProbs,
  prepareTransitions,
} from './transitions.js';

interface Prepared extends TransitionArrays {
  /** log R of every row's state. */
  stateLogReward: Float32Array; // [N]
}

/**
 * Modified detailed balance (Deleu et al., 2022, "Bayesian Structure Learning with Generative
 * Flow Networks", eq. 6), for envs where every state terminates. The flow through s is eliminated
 * with F(s) P_F(exit|s) = R(s), so no flow or log Z is learned. For every transition s -> s':
 *
 *   L(s -> s') = g( log R(s) + log P_F(s'|s) + log P_F(exit|s') - log R(s') - log P_B(s|s') - log P_F(exit|s) )
 *
 * averaged over the non-exit transitions. Its log Z is log R(s0) - log P_F(exit | s0).
 */
export class ModifiedDetailedBalance extends ResidualLoss<Prepared> {
  readonly name = 'mdb';
  readonly usesLogZ = false;
  private initialLogReward: number | null = null;

  constructor(options: LossOptions) {
    super(options, false);
    if (!options.env.everyStateTerminates) {
      throw new UserError(
        `loss 'mdb' (modified detailed balance) needs every state to terminate, and env ` +
          `'${options.env.name}' does not declare everyStateTerminates; use db or subtb`,
      );
    }
  }

  async prepare(batch: Trajectories): Promise<Prepared> {
    const x = prepareTransitions(batch, this.backward);
    const rewards = await checkedLogReward(batch.env, batch.states, batch.numTransitions);
    this.initialLogReward ??= (await checkedLogReward(batch.env, batch.env.initialState, 1))[0]!;
    return { ...x, stateLogReward: Float32Array.from(rewards) };
  }

  compute(x: Prepared, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    const logPF = forwardLogProbs(out.logits, x); // [N]
    const logPB = backwardLogProbs(model, out.backLogits, x); // [N]
    const logExit = exitLogProbs(out.logits, x, model.env.exitAction); // [N]
    const reward = tf.tensor1d(x.stateLogReward);
    const next = (v: tf.Tensor1D) => tf.concat([tf.slice(v, [1], [x.n - 1]), tf.zeros([1])]);
    const forward = tf.add(tf.add(reward, logPF), next(logExit));
    const backward = tf.add(tf.add(next(reward), logPB), logExit);
    const keep = tf.sub(1, tf.tensor1d(x.isExit));
    const residual = tf.mul(keep, tf.sub(forward, backward));
    const rows = x.n - x.b;
    return tf.div(tf.sum(this.penalty.apply(residual)), Math.max(1, rows));
  }

  estimateLogZ(model: PolicyModel): number {
    const { env } = model;
    const mask = new Uint8Array(env.numActions);
    env.forwardMask(env.initialState, 1, mask);
    const logits = model.forwardLogits(env.initialState, 1);
    const logExit = logits[env.exitAction]! - logSumExp(logits.filter((_, a) => mask[a] === 1));
    return (this.initialLogReward ?? 0) - logExit;
  }
}
