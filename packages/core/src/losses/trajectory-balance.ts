import * as tf from '@tensorflow/tfjs';
import type { PolicyModel } from '../policies/model.js';
import { type TrajectoryArrays, TrajectoryLevelLoss } from './trajectory-loss.js';
import { trajectoryLogRatio } from './transitions.js';

/**
 * Trajectory balance (Malkin et al., 2022, "Trajectory balance: Improved credit assignment in
 * GFlowNets", eq. 14). For a complete trajectory tau = (s0 -> ... -> s_n = x):
 *
 *   L(tau) = g( log Z + sum_t log P_F(s_{t+1} | s_t) - log R(x) - sum_t log P_B(s_t | s_{t+1}) )
 *
 * averaged over the batch, with g the residual penalty (squared by default). The exit
 * transition's P_F is included; it has no P_B term.
 */
export class TrajectoryBalance extends TrajectoryLevelLoss {
  readonly name = 'tb';
  readonly usesLogZ = true;

  compute(x: TrajectoryArrays, model: PolicyModel): tf.Scalar {
    const perTraj = trajectoryLogRatio(model, x); // [B]
    const residual = tf.sub(tf.add(perTraj, model.logZ), tf.tensor1d(x.logRewards)); // [B]
    return tf.mean(this.penalty.apply(residual));
  }

  estimateLogZ(model: PolicyModel): number {
    return model.logZ.dataSync()[0]!;
  }
}
