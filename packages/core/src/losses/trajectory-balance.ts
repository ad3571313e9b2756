import * as tf from '@tensorflow/tfjs';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import type { Loss, LossOptions } from './loss.js';
import {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  prepareTransitions,
  trajectoryIndicator,
} from './transitions.js';

interface Prepared extends TransitionArrays {
  indicator: Float32Array; // [B * N]
}

/**
 * Trajectory balance (Malkin et al., 2022, "Trajectory balance: Improved credit assignment in
 * GFlowNets", eq. 14). For a complete trajectory tau = (s0 -> ... -> s_n = x):
 *
 *   L(tau) = ( log Z + sum_t log P_F(s_{t+1} | s_t) - log R(x) - sum_t log P_B(s_t | s_{t+1}) )^2
 *
 * averaged over the batch. The exit transition's P_F is included; it has no P_B term.
 */
export class TrajectoryBalance implements Loss<Prepared> {
  readonly name = 'tb';
  readonly heads;
  readonly usesLogZ = true;

  constructor(options: LossOptions) {
    this.heads = { learnedBackward: options.backward === 'learned', stateFlow: false };
  }

  prepare(batch: Trajectories): Prepared {
    return {
      ...prepareTransitions(batch, this.heads.learnedBackward),
      indicator: trajectoryIndicator(batch),
    };
  }

  compute(x: Prepared, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    const logPF = forwardLogProbs(out.logits, x); // [N]
    const logPB = backwardLogProbs(model, out.backLogits, x); // [N]
    const perRow = tf.reshape(tf.sub(logPF, logPB), [x.n, 1]); // [N, 1]
    const perTraj = tf.reshape(tf.matMul(tf.tensor2d(x.indicator, [x.b, x.n]), perRow), [x.b]); // [B]
    const residual = tf.sub(tf.add(perTraj, model.logZ), tf.tensor1d(x.logRewards)); // [B]
    return tf.mean(tf.square(residual));
  }

  estimateLogZ(model: PolicyModel): number {
    return model.logZ.dataSync()[0]!;
  }
}
