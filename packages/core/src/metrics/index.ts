/** '@gflownet/core/metrics': the state graph of enumerable envs, exact and sampled metrics. */
export { type StateGraph, buildStateGraph, logSumExp } from './state-graph.js';
export {
  type DistributionDistance,
  compareDistributions,
  modelTerminatingDistribution,
  targetDistribution,
  terminatingDistribution,
} from './exact.js';
export {
  type ExactMetrics,
  empiricalL1,
  exactMetrics,
  sampleTerminalStates,
  terminalStateChunks,
} from './evaluate.js';
export { ModeTracker } from './modes.js';
