import type { BackendName } from '../backend.js';
import { checkRange, parseNumber } from '../env/params.js';
import { UserError, listNames } from '../errors.js';
import type { FlagSpec } from '../registry/command.js';

/**
 * A run, described as plain data: what `gfn train` flags and config files fill in, what a run
 * directory's config.json holds, and all `createRun` needs besides the plugin modules.
 */
export interface RunConfig {
  /** The env factory's registered name. */
  env: string;
  /** Env parameters by name; missing ones take the factory's defaults. */
  envParams: Record<string, string | number>;
  /** Plugin choices, each `NAME` or `NAME:KEY=VALUE,...`. */
  loss: string;
  sampler: string;
  backward: string;
  penalty: string;
  /** A replay buffer plugin, or 'none'. */
  replay: string;
  /** Share of each batch taken from the replay buffer (once it holds anything). */
  replayShare: number;
  iterations: number;
  batchSize: number;
  lr: number;
  lrLogZ: number;
  hidden: number[];
  /** A number or a schedule: `linear(START, END, STEPS)`, `exp(START, END, TAU)`. */
  epsilon: number | string;
  temperature: number | string;
  seed: number;
  /** The backend the run was trained on (recorded, not chosen here). */
  backend?: BackendName;
  evalEvery: number;
  evalSamples: number;
  /** What a non-finite reward, loss or gradient does: end the run, or drop that update. */
  onNan: 'stop' | 'skip';
  /** Actor threads that sample (and score) trajectories while the learner trains; 0: none. */
  workers: number;
  /** With workers: send the weights to the actors every N updates (the policy lag is up to N). */
  syncEvery: number;
}

type Field = FlagSpec & { key: Exclude<keyof RunConfig, 'env' | 'envParams' | 'backend'> };

/**
 * Every field of a RunConfig but the env: its flag name, type, default and range, declared once.
 * `gfn train` makes its flags from this table and `resolveRunConfig` checks a config against it.
 */
export const RUN_CONFIG_FIELDS: readonly Field[] = [
  {
    key: 'loss',
    name: 'loss',
    type: 'string',
    default: 'tb',
    placeholder: 'NAME[:OPT=V,...]',
    description: 'objective: tb, db, fm, subtb, fldb, zvar, mdb or a plugin loss',
  },
  {
    key: 'backward',
    name: 'backward',
    type: 'string',
    default: 'uniform',
    placeholder: 'NAME',
    description: 'backward policy: uniform, learned (shared trunk), separate (own network), env',
  },
  {
    key: 'penalty',
    name: 'penalty',
    type: 'string',
    default: 'squared',
    placeholder: 'NAME[:OPT=V,...]',
    description: 'regression loss on each residual: squared, cosh, linex',
  },
  {
    key: 'sampler',
    name: 'sampler',
    type: 'string',
    default: 'on-policy',
    placeholder: 'NAME[:OPT=V,...]',
    description: 'trajectory sampler: on-policy, local-search',
  },
  {
    key: 'replay',
    name: 'replay',
    type: 'string',
    default: 'none',
    placeholder: 'NAME[:OPT=V,...]',
    description: 'replay buffer: none, fifo, terminal, prioritized, diverse',
  },
  {
    key: 'replayShare',
    name: 'replay-share',
    type: 'float',
    default: 0.5,
    min: 0,
    max: 1,
    description: 'share of each batch replayed from the buffer',
  },
  {
    key: 'iterations',
    name: 'iterations',
    type: 'int',
    default: 1000,
    min: 1,
    max: 10_000_000,
    description: 'training iterations',
  },
  {
    key: 'batchSize',
    name: 'batch-size',
    type: 'int',
    default: 16,
    min: 1,
    max: 100_000,
    description: 'trajectories per iteration',
  },
  {
    key: 'lr',
    name: 'lr',
    type: 'float',
    default: 1e-3,
    min: 1e-8,
    max: 10,
    description: 'Adam learning rate of the policy network',
  },
  {
    key: 'lrLogZ',
    name: 'lr-logz',
    type: 'float',
    default: 0.1,
    min: 1e-8,
    max: 10,
    description: 'Adam learning rate of log Z',
  },
  {
    key: 'hidden',
    name: 'hidden',
    type: 'int-list',
    default: [256, 256],
    min: 1,
    max: 65_536,
    description: 'hidden layer sizes of the MLP',
  },
  {
    key: 'epsilon',
    name: 'epsilon',
    type: 'schedule',
    default: 0,
    min: 0,
    max: 1,
    description: 'share of uniformly random actions while training',
  },
  {
    key: 'temperature',
    name: 'temperature',
    type: 'schedule',
    default: 1,
    min: 1e-3,
    max: 1000,
    description: 'logit temperature while training',
  },
  {
    key: 'seed',
    name: 'seed',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 31 - 1,
    description: 'random seed (weights and sampling)',
  },
  {
    key: 'evalEvery',
    name: 'eval-every',
    type: 'int',
    default: 50,
    min: 1,
    max: 10_000_000,
    description: "exact metrics (or the env's sample metrics) every N iterations",
  },
  {
    key: 'evalSamples',
    name: 'eval-samples',
    type: 'int',
    default: 100_000,
    min: 0,
    max: 100_000_000,
    description: 'fresh samples for l1_sampled at the end',
  },
  {
    key: 'onNan',
    name: 'on-nan',
    type: 'string',
    default: 'stop',
    choices: ['stop', 'skip'],
    description:
      'a non-finite reward, loss or gradient: stop (keep the last checkpoint) or skip that update',
  },
  {
    key: 'workers',
    name: 'workers',
    type: 'int',
    default: 0,
    min: 0,
    max: 256,
    description:
      'actor threads that sample and score the next batch while the learner trains on this one ' +
      '(with --redis: batches under way on gfn worker processes)',
  },
  {
    key: 'syncEvery',
    name: 'sync-every',
    type: 'int',
    default: 1,
    min: 1,
    max: 1_000_000,
    description: 'with --workers: send the weights to the actors every N updates',
  },
];

/** Defaults of every RunConfig field except the env. */
export const RUN_DEFAULTS = Object.fromEntries(
  RUN_CONFIG_FIELDS.map((f) => [f.key, f.default]),
) as Omit<RunConfig, 'env' | 'envParams'>;

/**
 * Checks every field of a config against RUN_CONFIG_FIELDS (type and range; errors name the
 * flag) and fills missing ones with defaults. Schedules and plugin choices are checked where
 * they are parsed, in `createRun`.
 */
export function resolveRunConfig(config: Partial<RunConfig> & Pick<RunConfig, 'env'>): RunConfig {
  const out: Record<string, unknown> = {
    env: config.env,
    envParams: config.envParams ?? {},
    ...(config.backend ? { backend: config.backend } : {}),
  };
  for (const field of RUN_CONFIG_FIELDS) {
    const value = config[field.key] ?? field.default;
    const where = `--${field.name}`;
    switch (field.type) {
      case 'int':
      case 'float': {
        const n = parseNumber(value as number | string, field.type, where);
        checkRange(n, field, where);
        out[field.key] = n;
        break;
      }
      case 'int-list': {
        if (!Array.isArray(value) || value.length === 0) {
          throw new UserError(`${where}: expected a list of sizes, got ${JSON.stringify(value)}`);
        }
        out[field.key] = value.map((v: unknown) => {
          const n = parseNumber(v as number | string, 'int', where);
          checkRange(n, field, where);
          return n;
        });
        break;
      }
      default:
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new UserError(`${where}: expected a string, got ${JSON.stringify(value)}`);
        }
        if (field.choices && !field.choices.includes(String(value))) {
          throw new UserError(`${where}: '${value}' is not one of ${listNames(field.choices)}`);
        }
        out[field.key] = value;
    }
  }
  return out as unknown as RunConfig;
}
