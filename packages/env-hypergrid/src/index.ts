export {
  HYPERGRID_DEFAULTS,
  HypergridEnv,
  type HypergridOptions,
  allGridStates,
} from '@gflownet/core/testing';
export {
  HYPERGRID_SPEC_PATH,
  HypergridSpecEnv,
  hypergridFactory,
  hypergridModule,
  hypergridModule as default,
} from './module.js';
