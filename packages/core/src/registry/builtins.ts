import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { DetailedBalance } from '../losses/detailed-balance.js';
import { FlowMatching } from '../losses/flow-matching.js';
import { ForwardLookingDetailedBalance } from '../losses/forward-looking.js';
import { LogPartitionVariance } from '../losses/log-partition-variance.js';
import { LossPlugin } from '../losses/loss.js';
import { ModifiedDetailedBalance } from '../losses/modified-detailed-balance.js';
import { A2c, Ppo } from '../losses/ppo.js';
import { SoftQLearning } from '../losses/soft-q-learning.js';
import {
  LinexPenalty,
  PenaltyPlugin,
  ShiftedCoshPenalty,
  SquaredPenalty,
} from '../losses/penalty.js';
import { SubTrajectoryBalance } from '../losses/subtrajectory-balance.js';
import { TrajectoryBalance } from '../losses/trajectory-balance.js';
import {
  BackwardPolicyPlugin,
  EnvBackward,
  LearnedBackward,
  UniformBackward,
} from '../policies/backward.js';
import {
  DiverseBuffer,
  PrioritizedBuffer,
  ReplayBufferPlugin,
  TerminalStateBuffer,
  TrajectoryFifoBuffer,
} from '../replay/buffers.js';
import { LocalSearchSampler } from '../samplers/local-search.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { SamplerPlugin } from '../samplers/sampler.js';

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
/** The options PPO and A2C share. */
const ACTOR_CRITIC_OPTIONS = [
  {
    name: 'entropy',
    type: 'float',
    default: 0.01,
    min: 0,
    max: 100,
    description: 'weight of the entropy bonus',
  },
  {
    name: 'value',
    type: 'float',
    default: 0.5,
    min: 0,
    max: 100,
    description: 'weight of the value loss',
  },
] as const;

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
    name: 'sql',
    description:
      'soft Q-learning (a baseline): logits are soft Q-values, no backward policy; equals a GFlowNet on a tree',
    create: (o) => new SoftQLearning(o),
  },
  {
    name: 'ppo',
    description:
      'PPO (Schulman et al. 2017), a reward-maximizing baseline: clipped surrogate, value head, entropy bonus',
    options: [
      { name: 'clip', type: 'float', default: 0.2, min: 0, max: 10, description: 'ratio clip' },
      ...ACTOR_CRITIC_OPTIONS,
      {
        name: 'epochs',
        type: 'int',
        default: 4,
        min: 1,
        max: 100,
        description: 'updates per batch',
      },
    ],
    create: (o) => new Ppo(o),
  },
  {
    name: 'a2c',
    description:
      'A2C (Mnih et al. 2016), a reward-maximizing baseline: one policy-gradient step per batch with a value head and an entropy bonus',
    options: ACTOR_CRITIC_OPTIONS,
    create: (o) => new A2c(o),
  },
  {
    name: 'mdb',
    description:
      'modified detailed balance (Deleu et al. 2022): envs where every state terminates, no flow head',
    create: (o) => new ModifiedDetailedBalance(o),
  },
];

const BACKWARDS: BackwardPolicyPlugin[] = [
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

const REPLAYS: ReplayBufferPlugin[] = [
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

/**
 * The core's plugins: objectives, backward policies, residual penalties, samplers and replay
 * buffers. Env factories come from env packages' modules.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  for (const p of LOSSES) bind(LossPlugin).toConstantValue(p);
  for (const p of BACKWARDS) bind(BackwardPolicyPlugin).toConstantValue(p);
  for (const p of PENALTIES) bind(PenaltyPlugin).toConstantValue(p);
  for (const p of SAMPLERS) bind(SamplerPlugin).toConstantValue(p);
  for (const p of REPLAYS) bind(ReplayBufferPlugin).toConstantValue(p);
});
