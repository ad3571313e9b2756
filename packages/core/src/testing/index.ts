/**
 * '@gflownet/core/testing': a small env with every optional capability (the hand-written
 * hypergrid) and the env conformance suite that every env should pass.
 */
export {
  type ConformanceOptions,
  type ConformanceReport,
  assertConformance,
  checkConformance,
} from './conformance.js';
export { HYPERGRID_DEFAULTS, HypergridEnv, type HypergridOptions } from './hypergrid.js';
export { allGridStates } from './grid-states.js';
export { testHypergridFactory, testingModule } from './module.js';
