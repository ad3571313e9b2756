/** '@gflownet/core/losses': the objectives, residual penalties and their building blocks. */
export { type Loss, type LossOptions, LossPlugin, ResidualLoss, headsFor } from './loss.js';
export {
  LinexPenalty,
  type Penalty,
  PenaltyPlugin,
  ShiftedCoshPenalty,
  SquaredPenalty,
} from './penalty.js';
export { gatherRows } from './gather.js';
export {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  prepareTransitions,
  trajectoryRows,
  trajectoryLogRatio,
} from './transitions.js';
export { type TrajectoryArrays, TrajectoryLevelLoss } from './trajectory-loss.js';
export { TrajectoryBalance } from './trajectory-balance.js';
export { DetailedBalance } from './detailed-balance.js';
export { FlowMatching } from './flow-matching.js';
export { SubTrajectoryBalance } from './subtrajectory-balance.js';
export { ForwardLookingDetailedBalance } from './forward-looking.js';
export { LogPartitionVariance } from './log-partition-variance.js';
export { ModifiedDetailedBalance } from './modified-detailed-balance.js';
export { SoftQLearning } from './soft-q-learning.js';
export { A2c, Ppo, type PpoArrays, type PpoOptions } from './ppo.js';
