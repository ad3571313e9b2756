import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import { type TransitionArrays, prepareTransitions, trajectoryRows } from './transitions.js';

export interface TrajectoryArrays extends TransitionArrays {
  /** Each trajectory's rows, padded to `width` (see trajectoryRows), for trajectoryLogRatio. */
  rows: Int32Array; // [B * W]
  width: number;
}

/**
 * Objectives with one residual per whole trajectory (tb, zvar): no state-flow head, and
 * transition arrays with each trajectory's rows.
 */
export abstract class TrajectoryLevelLoss extends ResidualLoss<TrajectoryArrays> {
  constructor(options: LossOptions) {
    super(options, false);
  }

  prepare(batch: Trajectories): TrajectoryArrays {
    return { ...prepareTransitions(batch, this.backward), ...trajectoryRows(batch) };
  }
}
