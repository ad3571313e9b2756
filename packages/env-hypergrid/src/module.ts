import { fileURLToPath } from 'node:url';
import { ContainerModule, EnvFactory } from '@gflownet/core';
import { loadSpecFile, specEnvFactory } from '@gflownet/dsl';

/** Where the package's spec lives (it ships next to dist/). */
export const HYPERGRID_SPEC_PATH = fileURLToPath(new URL('../hypergrid.gfn', import.meta.url));

/** The env class compiled from hypergrid.gfn: `new HypergridSpecEnv({ ndim: 4 })`. */
export const HypergridSpecEnv = loadSpecFile(HYPERGRID_SPEC_PATH);

export const hypergridFactory: EnvFactory = specEnvFactory(
  HypergridSpecEnv,
  'the hypergrid of Bengio et al. (2021): 2^ndim reward modes near the corners',
);

/**
 * Registers the hypergrid env, compiled from hypergrid.gfn; load it with
 * `gfn train --env hypergrid` or into a container. The hand-written HypergridEnv is its oracle.
 */
export const hypergridModule = new ContainerModule(({ bind }) => {
  bind<EnvFactory>(EnvFactory).toConstantValue(hypergridFactory);
});

export default hypergridModule;
