import { fileURLToPath } from 'node:url';
import { ContainerModule, EnvFactory, numberParam } from '@gflownet/core';
import { loadSpecFile, specEnvFactory } from '@gflownet/dsl';
import { HYPERGRID_DEFAULTS, HypergridEnv } from './hypergrid.js';

/** Where the package's spec lives (it ships next to dist/). */
export const HYPERGRID_SPEC_PATH = fileURLToPath(new URL('../hypergrid.gfn', import.meta.url));

/** The env class compiled from hypergrid.gfn: `new HypergridSpecEnv({ ndim: 4 })`. */
export const HypergridSpecEnv = loadSpecFile(HYPERGRID_SPEC_PATH);

export const hypergridFactory: EnvFactory = specEnvFactory(
  HypergridSpecEnv,
  'the hypergrid of Bengio et al. (2021): 2^ndim reward modes near the corners',
);

/**
 * The hand-written TypeScript twin, `hypergrid-ts`: the oracle of the spec version, and the one
 * with a fixed backward policy of its own (`--backward env`).
 */
export const hypergridTsFactory: EnvFactory = {
  name: 'hypergrid-ts',
  description:
    'hand-written twin of hypergrid (same parameters); adds a fixed backward policy for --backward env',
  params: hypergridFactory.params,
  create: (params) =>
    new HypergridEnv({
      ndim: numberParam(params, 'ndim', HYPERGRID_DEFAULTS.ndim),
      height: numberParam(params, 'height', HYPERGRID_DEFAULTS.height),
      r0: numberParam(params, 'r0', HYPERGRID_DEFAULTS.r0),
      r1: numberParam(params, 'r1', HYPERGRID_DEFAULTS.r1),
      r2: numberParam(params, 'r2', HYPERGRID_DEFAULTS.r2),
    }),
};

/**
 * Registers the hypergrid env, compiled from hypergrid.gfn (`gfn train --env hypergrid`), and its
 * hand-written twin `hypergrid-ts`.
 */
export const hypergridModule = new ContainerModule(({ bind }) => {
  bind<EnvFactory>(EnvFactory).toConstantValue(hypergridFactory);
  bind<EnvFactory>(EnvFactory).toConstantValue(hypergridTsFactory);
});

export default hypergridModule;
