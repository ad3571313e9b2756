export { allGridStates } from './grid-states.js';
export { HYPERGRID_DEFAULTS, HypergridEnv, type HypergridOptions } from './hypergrid.js';
export {
  HYPERGRID_SPEC_PATH,
  HypergridSpecEnv,
  hypergridFactory,
  hypergridModule,
  hypergridModule as default,
} from './module.js';
