/** '@gflownet/core/env': helpers around the env contract (parameters, state utilities). */
export {
  checkRange,
  describeParam,
  describeRange,
  isTextParam,
  numberParam,
  numericParams,
  parseNumber,
  parseParam,
  resolveEnvParams,
  textParam,
} from './params.js';
export {
  backwardActionsOf,
  checkedLogReward,
  describeReward,
  formatState,
  forwardActionsOf,
  intermediateLogReward,
  stateDistance,
  stateKey,
} from './state-utils.js';
