import type * as tf from '@tensorflow/tfjs';
import type { BackwardPolicy } from '../policies/backward.js';
import type { PolicyHeads, PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type Loss, type LossOptions, headsFor } from './loss.js';
import { type Penalty, SquaredPenalty } from './penalty.js';
import { type TransitionArrays, prepareTransitions, trajectoryIndicator } from './transitions.js';

export interface TrajectoryArrays extends TransitionArrays {
  /** Row-to-trajectory indicator, for trajectoryLogRatio. */
  indicator: Float32Array; // [B * N]
}

/**
 * The shared part of objectives with one residual per whole trajectory (tb, zvar): the backward
 * policy, the penalty, the heads, and transition arrays with the trajectory indicator.
 */
export abstract class TrajectoryLevelLoss implements Loss<TrajectoryArrays> {
  abstract readonly name: string;
  abstract readonly usesLogZ: boolean;
  readonly heads: PolicyHeads;
  protected readonly backward: BackwardPolicy;
  protected readonly penalty: Penalty;

  constructor(options: LossOptions) {
    this.backward = options.backward;
    this.penalty = options.penalty ?? new SquaredPenalty();
    this.heads = headsFor(options.backward, false);
  }

  prepare(batch: Trajectories): TrajectoryArrays {
    return { ...prepareTransitions(batch, this.backward), indicator: trajectoryIndicator(batch) };
  }

  abstract compute(x: TrajectoryArrays, model: PolicyModel): tf.Scalar;
  abstract estimateLogZ(model: PolicyModel): number;
}
