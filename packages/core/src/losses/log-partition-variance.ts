import * as tf from '@tensorflow/tfjs';
import type { PolicyModel } from '../policies/model.js';
import { type TrajectoryArrays, TrajectoryLevelLoss } from './trajectory-loss.js';
import { trajectoryLogRatio } from './transitions.js';

/**
 * Log-partition variance, ZVar (Zhang et al., 2023, "Robust Scheduling with GFlowNets", eq. 6;
 * the VarGrad estimator of Richter et al., 2020). Each trajectory gives its own estimate of log Z,
 *
 *   zeta(tau) = log R(x) + sum_t log P_B(s_t | s_{t+1}) - sum_t log P_F(s_{t+1} | s_t),
 *
 * and the loss is the batch mean of g(zeta(tau) - mean_batch zeta): trajectory balance with log Z
 * replaced by the batch's own estimate, so no log Z is learned. Its log Z estimate is the mean
 * zeta of the most recent batch.
 */
export class LogPartitionVariance extends TrajectoryLevelLoss {
  readonly name = 'zvar';
  readonly usesLogZ = false;
  private lastLogZ = 0;

  compute(x: TrajectoryArrays, model: PolicyModel): tf.Scalar {
    const zeta = tf.sub(tf.tensor1d(x.logRewards), trajectoryLogRatio(model, x)); // [B]
    const mean = tf.mean(zeta);
    this.lastLogZ = mean.dataSync()[0]!;
    return tf.mean(this.penalty.apply(tf.sub(zeta, mean)));
  }

  estimateLogZ(): number {
    return this.lastLogZ;
  }
}
