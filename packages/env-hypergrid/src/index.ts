export { HYPERGRID_DEFAULTS, HypergridEnv, type HypergridOptions } from './hypergrid.js';
export { hypergridFactory, hypergridModule, hypergridModule as default } from './module.js';
