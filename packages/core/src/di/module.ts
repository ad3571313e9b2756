import 'reflect-metadata';
import { ContainerModule, type ResolutionContext } from 'inversify';
import { resolveEnvParams } from '../env/params.js';
import { DetailedBalance } from '../losses/detailed-balance.js';
import { FlowMatching } from '../losses/flow-matching.js';
import { TrajectoryBalance } from '../losses/trajectory-balance.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { pickByName } from './plugins.js';
import {
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
  ResolvedEnvParams,
  RunConfig,
  Sampler,
  SamplerPlugin,
} from './tokens.js';
import { Rng } from '../util/rng.js';

/**
 * The core's plugins (losses tb/db/fm, the on-policy sampler) and the services a run resolves from
 * its config by name: Env, Objective, Sampler. Env factories come from env packages' modules.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  bind<LossPlugin>(LossPlugin).toConstantValue({
    name: 'tb',
    description:
      'trajectory balance (Malkin et al. 2022): learned log Z, one residual per trajectory',
    create: (o) => new TrajectoryBalance(o),
  });
  bind<LossPlugin>(LossPlugin).toConstantValue({
    name: 'db',
    description:
      'detailed balance (Bengio et al. 2023): a state-flow head, one residual per transition',
    create: (o) => new DetailedBalance(o),
  });
  bind<LossPlugin>(LossPlugin).toConstantValue({
    name: 'fm',
    description: 'flow matching (Bengio et al. 2021): edge flows balanced through the env parents',
    create: (o) => new FlowMatching(o),
  });
  bind<SamplerPlugin>(SamplerPlugin).toConstantValue({
    name: 'on-policy',
    description: 'forward policy with epsilon-uniform exploration and logit temperature',
    create: ({ env, rng, exploration }) => new OnPolicySampler(env, rng, exploration),
  });

  const envFactory = (ctx: ResolutionContext): EnvFactory =>
    pickByName(ctx.getAll<EnvFactory>(EnvFactory), ctx.get<RunConfig>(RunConfig).env, 'env');
  bind<ResolvedEnvParams>(ResolvedEnvParams)
    .toDynamicValue((ctx) =>
      resolveEnvParams(envFactory(ctx), ctx.get<RunConfig>(RunConfig).envParams),
    )
    .inSingletonScope();
  bind<Env>(Env)
    .toDynamicValue((ctx) => envFactory(ctx).create(ctx.get<ResolvedEnvParams>(ResolvedEnvParams)))
    .inSingletonScope();
  bind<Objective>(Objective)
    .toDynamicValue((ctx) => {
      const config = ctx.get<RunConfig>(RunConfig);
      const plugin = pickByName(ctx.getAll<LossPlugin>(LossPlugin), config.loss, 'loss');
      return plugin.create({ env: ctx.get<Env>(Env), backward: config.backward });
    })
    .inSingletonScope();
  bind<Sampler>(Sampler)
    .toDynamicValue((ctx) => {
      const config = ctx.get<RunConfig>(RunConfig);
      const plugin = pickByName(
        ctx.getAll<SamplerPlugin>(SamplerPlugin),
        config.sampler,
        'sampler',
      );
      return plugin.create({
        env: ctx.get<Env>(Env),
        // Sampling gets its own stream so that weight initialisation does not shift it.
        rng: new Rng(config.seed * 2 + 1),
        exploration: { epsilon: config.epsilon, temperature: config.temperature },
      });
    })
    .inSingletonScope();
});
