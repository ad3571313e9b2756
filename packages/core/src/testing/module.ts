import { ContainerModule } from 'inversify';
import { EnvFactory } from '../env/env.js';
import { numberParam } from '../env/params.js';
import { HYPERGRID_DEFAULTS, HypergridEnv } from './hypergrid.js';

/** The test env's factory, `test-hypergrid`: the hypergrid with its usual parameters. */
export const testHypergridFactory: EnvFactory = {
  name: 'test-hypergrid',
  description: 'the hand-written hypergrid of @gflownet/core/testing',
  params: [
    {
      name: 'ndim',
      type: 'int',
      default: HYPERGRID_DEFAULTS.ndim,
      min: 1,
      max: 8,
      description: 'dimensions',
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
      description: 'base reward',
    },
    {
      name: 'r1',
      type: 'float',
      default: HYPERGRID_DEFAULTS.r1,
      min: 0,
      description: 'outer-band reward',
    },
    {
      name: 'r2',
      type: 'float',
      default: HYPERGRID_DEFAULTS.r2,
      min: 0,
      description: 'mode reward',
    },
  ],
  create: (params) =>
    new HypergridEnv({
      ndim: numberParam(params, 'ndim', HYPERGRID_DEFAULTS.ndim),
      height: numberParam(params, 'height', HYPERGRID_DEFAULTS.height),
      r0: numberParam(params, 'r0', HYPERGRID_DEFAULTS.r0),
      r1: numberParam(params, 'r1', HYPERGRID_DEFAULTS.r1),
      r2: numberParam(params, 'r2', HYPERGRID_DEFAULTS.r2),
    }),
};

/** Registers `test-hypergrid`, for runs in tests: `createRun({ env: 'test-hypergrid' }, [testingModule])`. */
export const testingModule = new ContainerModule(({ bind }) => {
  bind(EnvFactory).toConstantValue(testHypergridFactory);
});
