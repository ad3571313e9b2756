import { fileURLToPath } from 'node:url';
import { ContainerModule, EnvFactory } from '@gflownet/core';
import { loadSpecFile, specEnvFactory } from '@gflownet/dsl';
import { testHypergridFactory } from '@gflownet/core/testing';

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
  ...testHypergridFactory,
  name: 'hypergrid-ts',
  description:
    'hand-written twin of hypergrid (same parameters); adds a fixed backward policy for --backward env',
  params: hypergridFactory.params,
};

/**
 * Registers the hypergrid env, compiled from hypergrid.gfn (`gfn train --env hypergrid`), and its
 * hand-written twin `hypergrid-ts`.
 */
export const hypergridModule = new ContainerModule(({ bind }) => {
  bind(EnvFactory).toConstantValue(hypergridFactory);
  bind(EnvFactory).toConstantValue(hypergridTsFactory);
});

export default hypergridModule;
