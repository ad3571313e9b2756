import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import type { Loss, LossOptions } from './loss.js';
import {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  prepareTransitions,
} from './transitions.js';

/**
 * Detailed balance (Bengio et al., 2023, "GFlowNet Foundations", eq. 44; torchgfn's DBGFlowNet).
 * For every transition s -> s' of the sampled trajectories:
 *
 *   L(s -> s') = ( log F(s) + log P_F(s' | s) - log F(s') - log P_B(s | s') )^2
 *
 * and for the exit transition x -> s_f, where F(s_f-edge) must equal the reward:
 *
 *   L(x -> s_f) = ( log F(x) + log P_F(exit | x) - log R(x) )^2
 *
 * averaged over all transitions. log F is the model's state-flow head; log Z is F(s0).
 */
export class DetailedBalance implements Loss<TransitionArrays> {
  readonly name = 'db';
  readonly heads;
  readonly usesLogZ = false;

  constructor(options: LossOptions) {
    this.heads = { learnedBackward: options.backward === 'learned', stateFlow: true };
  }

  prepare(batch: Trajectories): TransitionArrays {
    return prepareTransitions(batch, this.heads.learnedBackward);
  }

  compute(x: TransitionArrays, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    if (!out.logFlow) throw new GfnInternalError('capability', 'db needs the state-flow head');
    const logPF = forwardLogProbs(out.logits, x); // [N]
    const logPB = backwardLogProbs(model, out.backLogits, x); // [N]
    const nextFlow = tf.concat([tf.slice(out.logFlow, [1], [x.n - 1]), tf.zeros([1])]); // [N]
    const isExit = tf.tensor1d(x.isExit); // [N]
    const target = tf.add(
      tf.mul(isExit, tf.tensor1d(x.exitLogReward)),
      tf.mul(tf.sub(1, isExit), tf.add(nextFlow, logPB)),
    ); // [N]
    const residual = tf.sub(tf.add(out.logFlow, logPF), target); // [N]
    return tf.mean(tf.square(residual));
  }

  estimateLogZ(model: PolicyModel): number {
    const { env } = model;
    const flow = tf.tidy(() => model.outputs(env.initialState, 1).logFlow!);
    const value = flow.dataSync()[0]!;
    flow.dispose();
    return value;
  }
}
