/**
 * '@gflownet/core/baselines': methods to compare GFlowNets with, working on any env that meets
 * the contract: uniform random rollouts, and Metropolis-Hastings over terminating objects with
 * proposals made of the env's own forward and backward actions.
 */
export { MCMC_DEFAULTS, McmcChains, type McmcOptions } from './mcmc.js';
export {
  type UniformWalk,
  uniformBackwardLogProb,
  uniformBackwardWalk,
  uniformForwardLogProb,
  uniformRollout,
} from './walks.js';
export {
  type CompareOptions,
  type ComparisonMethod,
  type ComparisonPoint,
  gflownetMethod,
  mcmcMethod,
  randomMethod,
  runOnBudget,
} from './compare.js';
