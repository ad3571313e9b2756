import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  initialLogFlow,
  prepareTransitions,
} from './transitions.js';

/** Transition arrays plus, for forward-looking DB, a known term added to every log-flow. */
export interface DbArrays extends TransitionArrays {
  flowOffset?: Float32Array; // [N]
}

/**
 * Detailed balance (Bengio et al., 2023, "GFlowNet Foundations", eq. 44; torchgfn's DBGFlowNet).
 * For every transition s -> s' of the sampled trajectories:
 *
 *   L(s -> s') = g( log F(s) + log P_F(s' | s) - log F(s') - log P_B(s | s') )
 *
 * and for the exit transition x -> s_f, where F(s_f-edge) must equal the reward:
 *
 *   L(x -> s_f) = g( log F(x) + log P_F(exit | x) - log R(x) )
 *
 * averaged over all transitions, with g the residual penalty (squared by default). log F is the
 * model's state-flow head; log Z is F(s0).
 */
export class DetailedBalance extends ResidualLoss<DbArrays> {
  readonly name: string = 'db';
  readonly usesLogZ = false;

  constructor(options: LossOptions) {
    super(options, true);
  }

  prepare(batch: Trajectories): DbArrays | Promise<DbArrays> {
    return prepareTransitions(batch, this.backward);
  }

  compute(x: DbArrays, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    if (!out.logFlow) throw new GfnInternalError('capability', 'db needs the state-flow head');
    const logFlow = x.flowOffset ? tf.add(out.logFlow, tf.tensor1d(x.flowOffset)) : out.logFlow;
    const logPF = forwardLogProbs(out.logits, x); // [N]
    const logPB = backwardLogProbs(model, out.backLogits, x); // [N]
    const nextFlow = tf.concat([tf.slice(logFlow, [1], [x.n - 1]), tf.zeros([1])]); // [N]
    const isExit = tf.tensor1d(x.isExit); // [N]
    const target = tf.add(
      tf.mul(isExit, tf.tensor1d(x.exitLogReward)),
      tf.mul(tf.sub(1, isExit), tf.add(nextFlow, logPB)),
    ); // [N]
    const residual = tf.sub(tf.add(logFlow, logPF), target); // [N]
    return tf.mean(this.penalty.apply(residual));
  }

  estimateLogZ(model: PolicyModel): number {
    return initialLogFlow(model);
  }
}
