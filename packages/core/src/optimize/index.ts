/**
 * '@gflownet/core/optimize': multi-round black-box optimization with a generator. A proxy
 * with uncertainty (an MLP ensemble or a Tanimoto GP), acquisition functions (UCB, EI, mean), diverse batch selection,
 * generators (a trained policy, MCMC, uniform rollouts) and the resumable loop of `gfn optimize`.
 */
export {
  ACQUISITIONS,
  type AcquisitionName,
  type RewardShape,
  acquisitionLogRewards,
  acquisitionValues,
  checkRewardShape,
  isAcquisition,
  normalCdf,
  normalPdf,
} from './acquisition.js';
export {
  type Generator,
  type LogRewardFn,
  mcmcGenerator,
  randomGenerator,
  runGenerator,
} from './generators.js';
export {
  type DataPoint,
  type LoopHooks,
  OPTIMIZE_FILES,
  type ObjectOracle,
  OptimizeLoop,
  type OptimizeOptions,
  type RoundRecord,
  clientOracle,
  envRewardOracle,
  readDataFile,
  readLoopState,
} from './loop.js';
export { GpProxy } from './gp.js';
export {
  ENSEMBLE_DEFAULTS,
  type EnsembleOptions,
  EnsembleProxy,
  PROXIES,
  type Prediction,
  type Proxy,
  type ProxyName,
} from './proxy.js';
export {
  type Calibration,
  calibration,
  countModes,
  meanPairwiseDistance,
  selectDiverseBatch,
  topKMean,
} from './select.js';
