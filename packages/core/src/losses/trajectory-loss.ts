import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import { type TransitionArrays, prepareTransitions, trajectoryIndicator } from './transitions.js';

export interface TrajectoryArrays extends TransitionArrays {
  /** Row-to-trajectory indicator, for trajectoryLogRatio. */
  indicator: Float32Array; // [B * N]
}

/**
 * Objectives with one residual per whole trajectory (tb, zvar): no state-flow head, and
 * transition arrays with the trajectory indicator.
 */
export abstract class TrajectoryLevelLoss extends ResidualLoss<TrajectoryArrays> {
  constructor(options: LossOptions) {
    super(options, false);
  }

  prepare(batch: Trajectories): TrajectoryArrays {
    return { ...prepareTransitions(batch, this.backward), indicator: trajectoryIndicator(batch) };
  }
}
