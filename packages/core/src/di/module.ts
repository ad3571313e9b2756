import 'reflect-metadata';
import { ContainerModule, type ResolutionContext } from 'inversify';
import { resolveEnvParams } from '../env/params.js';
import { DetailedBalance } from '../losses/detailed-balance.js';
import { FlowMatching } from '../losses/flow-matching.js';
import { ForwardLookingDetailedBalance } from '../losses/forward-looking.js';
import { LogPartitionVariance } from '../losses/log-partition-variance.js';
import { ModifiedDetailedBalance } from '../losses/modified-detailed-balance.js';
import { LinexPenalty, ShiftedCoshPenalty, SquaredPenalty } from '../losses/penalty.js';
import { SubTrajectoryBalance } from '../losses/subtrajectory-balance.js';
import { TrajectoryBalance } from '../losses/trajectory-balance.js';
import { EnvBackward, LearnedBackward, UniformBackward } from '../policies/backward.js';
import {
  DiverseBuffer,
  PrioritizedBuffer,
  TerminalStateBuffer,
  TrajectoryFifoBuffer,
} from '../replay/buffers.js';
import { BackwardSampler } from '../samplers/backward.js';
import { LocalSearchSampler } from '../samplers/local-search.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { parseSchedule } from '../samplers/schedule.js';
import { Rng } from '../util/rng.js';
import { choosePlugin, pickByName } from './plugins.js';
import {
  Backward,
  BackwardPlugin,
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
  Penalty,
  PenaltyPlugin,
  Replay,
  ReplayPlugin,
  ResolvedEnvParams,
  RunConfig,
  Sampler,
  SamplerPlugin,
} from './tokens.js';

const CAPACITY = {
  name: 'capacity',
  type: 'int',
  default: 1000,
  min: 1,
  max: 10_000_000,
  description: 'entries kept',
} as const;
const ALPHA = {
  name: 'alpha',
  type: 'float',
  default: 1,
  min: 0,
  max: 100,
  description: 'replay probability proportional to R^alpha',
} as const;

const LOSSES: LossPlugin[] = [
  {
    name: 'tb',
    description:
      'trajectory balance (Malkin et al. 2022): learned log Z, one residual per trajectory',
    create: (o) => new TrajectoryBalance(o),
  },
  {
    name: 'db',
    description:
      'detailed balance (Bengio et al. 2023): a state-flow head, one residual per transition',
    create: (o) => new DetailedBalance(o),
  },
  {
    name: 'fm',
    description: 'flow matching (Bengio et al. 2021): edge flows balanced through the env parents',
    create: (o) => new FlowMatching(o),
  },
  {
    name: 'subtb',
    description:
      'sub-trajectory balance (Madan et al. 2023): every sub-trajectory, weighted lambda^length',
    options: [
      {
        name: 'lambda',
        type: 'float',
        default: 0.9,
        min: 1e-6,
        max: 100,
        description: 'geometric weight of a sub-trajectory per step of length',
      },
    ],
    create: (o) => new SubTrajectoryBalance(o),
  },
  {
    name: 'fldb',
    description:
      'forward-looking detailed balance (Pan et al. 2023): DB with an intermediate reward on every state',
    create: (o) => new ForwardLookingDetailedBalance(o),
  },
  {
    name: 'zvar',
    description:
      'log-partition variance (Zhang et al. 2023): variance of per-trajectory log Z estimates, no learned log Z',
    create: (o) => new LogPartitionVariance(o),
  },
  {
    name: 'mdb',
    description:
      'modified detailed balance (Deleu et al. 2022): envs where every state terminates, no flow head',
    create: (o) => new ModifiedDetailedBalance(o),
  },
];

const BACKWARDS: BackwardPlugin[] = [
  {
    name: 'uniform',
    description: 'uniform over the allowed backward actions',
    create: ({ env }) => new UniformBackward(env),
  },
  {
    name: 'learned',
    description: 'learned: a backward head on the forward network (shared trunk)',
    create: () => new LearnedBackward('learned', 'shared'),
  },
  {
    name: 'separate',
    description: 'learned: a backward network of its own (same hidden sizes)',
    create: () => new LearnedBackward('separate', 'separate'),
  },
  {
    name: 'env',
    description: "fixed: the env's own backward policy (fixedBackwardLogProbs)",
    create: ({ env }) => new EnvBackward(env),
  },
];

const PENALTIES: PenaltyPlugin[] = [
  { name: 'squared', description: 'g(t) = t^2', create: () => new SquaredPenalty() },
  {
    name: 'cosh',
    description: 'shifted cosh, g(t) = e^t + e^-t - 2 (Hu et al. 2025)',
    create: () => new ShiftedCoshPenalty(),
  },
  {
    name: 'linex',
    description: 'Linex, g(t) = (e^(alpha t) - alpha t - 1) / alpha^2 (Hu et al. 2025)',
    options: [
      { name: 'alpha', type: 'float', default: 1, min: 1e-3, max: 10, description: 'asymmetry' },
    ],
    create: (o) => new LinexPenalty(o['alpha']!),
  },
];

const SAMPLERS: SamplerPlugin[] = [
  {
    name: 'on-policy',
    description: 'forward policy with epsilon-uniform exploration and logit temperature',
    create: ({ env, rng, exploration }) => new OnPolicySampler(env, rng, exploration),
  },
  {
    name: 'local-search',
    description:
      'local search (Kim et al. 2024): half fresh, half rebuilt after backtracking, keep the higher reward',
    options: [
      {
        name: 'backtrack',
        type: 'int',
        default: 2,
        min: 1,
        max: 1_000_000,
        description: 'steps walked back with the backward policy before rebuilding',
      },
    ],
    create: ({ env, rng, exploration, backward, options }) =>
      new LocalSearchSampler(
        env,
        new OnPolicySampler(env, rng, exploration),
        backward,
        options['backtrack']!,
      ),
  },
];

const REPLAYS: ReplayPlugin[] = [
  {
    name: 'fifo',
    description: 'whole trajectories, first in first out, replayed as sampled',
    options: [CAPACITY],
    create: ({ env, rng, options }) => new TrajectoryFifoBuffer(env, rng, options['capacity']!),
  },
  {
    name: 'terminal',
    description: 'distinct terminating states, FIFO, replayed by backward sampling',
    options: [CAPACITY],
    create: ({ env, rng, backward, options }) =>
      new TerminalStateBuffer(env, rng, backward, options['capacity']!),
  },
  {
    name: 'prioritized',
    description: 'highest-reward terminating states, replayed with probability ~ R^alpha',
    options: [CAPACITY, ALPHA],
    create: ({ env, rng, backward, options }) =>
      new PrioritizedBuffer(env, rng, backward, options['capacity']!, options['alpha']!),
  },
  {
    name: 'diverse',
    description: 'prioritized, rejecting states closer than a cutoff to a stored one',
    options: [
      CAPACITY,
      ALPHA,
      {
        name: 'cutoff',
        type: 'float',
        default: 1,
        min: 0,
        max: 1e12,
        description: 'minimum distance (env distance, else L1 of the state ints)',
      },
    ],
    create: ({ env, rng, backward, options }) =>
      new DiverseBuffer(
        env,
        rng,
        backward,
        options['capacity']!,
        options['alpha']!,
        options['cutoff']!,
      ),
  },
];

const BACKWARD_SAMPLER = Symbol.for('@gflownet/core/BackwardSampler');

/** Random streams of a run, apart so that adding one part does not shift another. */
function streams(seed: number) {
  return {
    sampler: new Rng(seed * 2 + 1),
    backward: new Rng(seed * 2 + 1_000_003),
    replay: new Rng(seed * 2 + 2_000_003),
  };
}

/**
 * The core's plugins (objectives, backward policies, residual penalties, samplers, replay buffers)
 * and the services a run resolves from its config by name: Env, Backward, Penalty, Objective,
 * Sampler, Replay. Env factories come from env packages' modules.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  for (const p of LOSSES) bind<LossPlugin>(LossPlugin).toConstantValue(p);
  for (const p of BACKWARDS) bind<BackwardPlugin>(BackwardPlugin).toConstantValue(p);
  for (const p of PENALTIES) bind<PenaltyPlugin>(PenaltyPlugin).toConstantValue(p);
  for (const p of SAMPLERS) bind<SamplerPlugin>(SamplerPlugin).toConstantValue(p);
  for (const p of REPLAYS) bind<ReplayPlugin>(ReplayPlugin).toConstantValue(p);

  const config = (ctx: ResolutionContext) => ctx.get<RunConfig>(RunConfig);
  const envFactory = (ctx: ResolutionContext): EnvFactory =>
    pickByName(ctx.getAll<EnvFactory>(EnvFactory), config(ctx).env, 'env');
  // One backward sampler (and random stream) per run, shared by local search and replay.
  bind<BackwardSampler>(BACKWARD_SAMPLER)
    .toDynamicValue(
      (ctx) =>
        new BackwardSampler(
          ctx.get<Env>(Env),
          ctx.get<Backward>(Backward),
          streams(config(ctx).seed).backward,
        ),
    )
    .inSingletonScope();
  const backwardSampler = (ctx: ResolutionContext) => ctx.get<BackwardSampler>(BACKWARD_SAMPLER);

  bind<ResolvedEnvParams>(ResolvedEnvParams)
    .toDynamicValue((ctx) => resolveEnvParams(envFactory(ctx), config(ctx).envParams))
    .inSingletonScope();
  bind<Env>(Env)
    .toDynamicValue((ctx) => envFactory(ctx).create(ctx.get<ResolvedEnvParams>(ResolvedEnvParams)))
    .inSingletonScope();
  bind<Backward>(Backward)
    .toDynamicValue((ctx) => {
      const c = config(ctx);
      const all = ctx.getAll<BackwardPlugin>(BackwardPlugin);
      const { plugin, options } = choosePlugin(all, c.backward, 'backward policy', '--backward');
      return plugin.create({ env: ctx.get<Env>(Env), options });
    })
    .inSingletonScope();
  bind<Penalty>(Penalty)
    .toDynamicValue((ctx) => {
      const all = ctx.getAll<PenaltyPlugin>(PenaltyPlugin);
      const { plugin, options } = choosePlugin(all, config(ctx).penalty, 'penalty', '--penalty');
      return plugin.create(options);
    })
    .inSingletonScope();
  bind<Objective>(Objective)
    .toDynamicValue((ctx) => {
      const all = ctx.getAll<LossPlugin>(LossPlugin);
      const { plugin, options } = choosePlugin(all, config(ctx).loss, 'loss', '--loss');
      return plugin.create({
        env: ctx.get<Env>(Env),
        backward: ctx.get<Backward>(Backward),
        penalty: ctx.get<Penalty>(Penalty),
        options,
      });
    })
    .inSingletonScope();
  bind<Sampler>(Sampler)
    .toDynamicValue((ctx) => {
      const c = config(ctx);
      const all = ctx.getAll<SamplerPlugin>(SamplerPlugin);
      const { plugin, options } = choosePlugin(all, c.sampler, 'sampler', '--sampler');
      return plugin.create({
        env: ctx.get<Env>(Env),
        rng: streams(c.seed).sampler,
        exploration: {
          epsilon: parseSchedule(c.epsilon, '--epsilon', { min: 0, max: 1 }),
          temperature: parseSchedule(c.temperature, '--temperature', { min: 1e-3, max: 1000 }),
        },
        backward: backwardSampler(ctx),
        options,
      });
    })
    .inSingletonScope();
  bind<Replay>(Replay)
    .toDynamicValue((ctx) => {
      const c = config(ctx);
      if (c.replay === 'none') return null;
      const all = ctx.getAll<ReplayPlugin>(ReplayPlugin);
      const { plugin, options } = choosePlugin(all, c.replay, 'replay buffer', '--replay');
      return plugin.create({
        env: ctx.get<Env>(Env),
        rng: streams(c.seed).replay,
        backward: backwardSampler(ctx),
        options,
      });
    })
    .inSingletonScope();
});
