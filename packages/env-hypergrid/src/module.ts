import { ContainerModule, EnvFactory } from '@gflownet/core';
import { HYPERGRID_DEFAULTS, HypergridEnv } from './hypergrid.js';

export const hypergridFactory: EnvFactory = {
  name: 'hypergrid',
  description: 'the hypergrid of Bengio et al. (2021): 2^ndim reward modes near the corners',
  params: [
    {
      name: 'ndim',
      type: 'int',
      default: HYPERGRID_DEFAULTS.ndim,
      min: 1,
      max: 8,
      description: 'number of dimensions',
    },
    {
      name: 'height',
      type: 'int',
      default: HYPERGRID_DEFAULTS.height,
      min: 2,
      max: 64,
      description: 'points per dimension',
    },
    {
      name: 'r0',
      type: 'float',
      default: HYPERGRID_DEFAULTS.r0,
      min: 0,
      description: 'reward everywhere (R0 > 0)',
    },
    {
      name: 'r1',
      type: 'float',
      default: HYPERGRID_DEFAULTS.r1,
      min: 0,
      description: 'extra reward away from the centre',
    },
    {
      name: 'r2',
      type: 'float',
      default: HYPERGRID_DEFAULTS.r2,
      min: 0,
      description: 'extra reward in the mode bands',
    },
  ],
  create: (p) =>
    new HypergridEnv({
      ndim: p['ndim']!,
      height: p['height']!,
      r0: p['r0']!,
      r1: p['r1']!,
      r2: p['r2']!,
    }),
};

/** Registers the hypergrid env; load it with `gfn train --env hypergrid` or into a container. */
export const hypergridModule = new ContainerModule(({ bind }) => {
  bind<EnvFactory>(EnvFactory).toConstantValue(hypergridFactory);
});

export default hypergridModule;
