import * as tf from '@tensorflow/tfjs';
import type { BackwardPolicy } from '../policies/backward.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type Loss, type LossOptions, headsFor } from './loss.js';
import { type Penalty, SquaredPenalty } from './penalty.js';
import {
  type TransitionArrays,
  prepareTransitions,
  trajectoryIndicator,
  trajectoryLogRatio,
} from './transitions.js';

interface Prepared extends TransitionArrays {
  indicator: Float32Array; // [B * N]
}

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
export class LogPartitionVariance implements Loss<Prepared> {
  readonly name = 'zvar';
  readonly heads;
  readonly usesLogZ = false;
  private readonly backward: BackwardPolicy;
  private readonly penalty: Penalty;
  private lastLogZ = 0;

  constructor(options: LossOptions) {
    this.backward = options.backward;
    this.penalty = options.penalty ?? new SquaredPenalty();
    this.heads = headsFor(options.backward, false);
  }

  prepare(batch: Trajectories): Prepared {
    return { ...prepareTransitions(batch, this.backward), indicator: trajectoryIndicator(batch) };
  }

  compute(x: Prepared, model: PolicyModel): tf.Scalar {
    const zeta = tf.sub(tf.tensor1d(x.logRewards), trajectoryLogRatio(model, x, x.indicator)); // [B]
    const mean = tf.mean(zeta);
    this.lastLogZ = mean.dataSync()[0]!;
    return tf.mean(this.penalty.apply(tf.sub(zeta, mean)));
  }

  estimateLogZ(): number {
    return this.lastLogZ;
  }
}
