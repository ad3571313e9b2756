import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type FlagValue,
  type RunConfig,
  UserError,
  createRun,
  readCheckpoint,
} from '@gflownet/core';
import {
  ACQUISITIONS,
  type AcquisitionName,
  PROXIES,
  type ProxyName,
  type Generator,
  OptimizeLoop,
  type OptimizeOptions,
  type RoundRecord,
  checkRewardShape,
  clientOracle,
  envRewardOracle,
  mcmcGenerator,
  randomGenerator,
  readDataFile,
  readLoopState,
  runGenerator,
} from '@gflownet/core/optimize';
import { oracleClientFromFlags, oracleFlags } from '@gflownet/core/oracles';
import { methodNames, setupEnv } from './env-setup.js';
import {
  BACKEND_FLAG,
  ENV_INPUT_FLAGS,
  HELP_FLAG,
  type FlagSpec,
  MODE_FLAGS,
  applyDefaults,
  formatHelp,
  parseFlags,
} from './flags.js';
import { formatDuration } from './progress.js';
import { lockDir } from './run-dir.js';
import { info, interruptions, startBackend } from './setup.js';
import { CONFIG_FILE, type SavedConfig, writeComparison } from './optimize-results.js';

export const OPTIMIZE_FLAGS: FlagSpec[] = [
  {
    name: 'env',
    type: 'string',
    default: 'hypergrid',
    description: 'env name, npm package, module path or .gfn spec file',
  },
  {
    name: 'generators',
    type: 'string',
    default: 'tb',
    description:
      'comma-separated: policies trained on the acquisition by loss name (tb, db, subtb, ppo, ...) ' +
      'and baselines (random: uniform rollouts; mcmc: Metropolis-Hastings on the acquisition)',
  },
  { name: 'seeds', type: 'int', default: 1, min: 1, max: 100, description: 'loops per generator' },
  {
    name: 'rounds',
    type: 'int',
    default: 5,
    min: 1,
    max: 10_000,
    description: 'rounds after the initial data',
  },
  {
    name: 'queries',
    type: 'int',
    default: 100,
    min: 1,
    max: 1_000_000,
    description: 'objects sent to the oracle per round',
  },
  {
    name: 'pool',
    type: 'int',
    default: 1000,
    min: 1,
    max: 10_000_000,
    description: 'candidates the generator proposes per round, from which the queries are chosen',
  },
  {
    name: 'initial',
    type: 'int',
    default: 100,
    min: 1,
    max: 10_000_000,
    description: 'distinct uniformly random objects scored before the first round',
  },
  {
    name: 'data',
    type: 'string',
    placeholder: 'FILE',
    description:
      'initial data instead: JSON lines {"state": [...], "score": x} (a data.jsonl of an earlier loop)',
  },
  {
    name: 'acquisition',
    type: 'string',
    default: 'ucb',
    choices: ACQUISITIONS,
    description: 'ucb: mean + kappa std; ei: expected improvement; mean: the proxy mean',
  },
  {
    name: 'kappa',
    type: 'float',
    default: 1,
    min: -100,
    max: 100,
    description:
      "UCB's weight of the std (negative: a lower confidence bound, which keeps the search where the proxy is sure)",
  },
  {
    name: 'acq-beta',
    type: 'float',
    default: 2,
    min: 0,
    description:
      'the generators search R = max(floor, a)^beta, a: the acquisition scaled to the range of the scores so far',
  },
  { name: 'acq-floor', type: 'float', default: 1e-3, min: 0, description: 'see --acq-beta' },
  {
    name: 'min-distance',
    type: 'float',
    default: 0.3,
    min: 0,
    description:
      "least distance between two queries of a round (the env's distance: 1 - Tanimoto for molecules, " +
      'else L1 of the state ints), relaxed when too few candidates pass',
  },
  {
    name: 'top-k',
    type: 'int',
    default: 10,
    min: 1,
    max: 1_000_000,
    description: 'k of the top-k figures',
  },
  ...MODE_FLAGS,
  {
    name: 'iterations',
    type: 'int',
    default: 200,
    min: 0,
    max: 100_000_000,
    description:
      'training iterations per round of a policy generator; mcmc takes iterations * batch-size / chains steps',
  },
  {
    name: 'batch-size',
    type: 'int',
    default: 16,
    min: 1,
    max: 100_000,
    description: 'trajectories per training iteration',
  },
  {
    name: 'hidden',
    type: 'string',
    default: '256,256',
    description: "the policy's MLP hidden layers",
  },
  {
    name: 'proxy',
    type: 'string',
    default: 'ensemble',
    choices: PROXIES,
    description:
      'ensemble: MLPs on the env features; gp: a Gaussian process with a Tanimoto kernel (features >= 0, e.g. fingerprints), which falls back to the data mean away from the data',
  },
  {
    name: 'members',
    type: 'int',
    default: 5,
    min: 1,
    max: 100,
    description: 'MLPs in the proxy ensemble',
  },
  {
    name: 'proxy-hidden',
    type: 'string',
    default: '64,64',
    description: "each proxy MLP's hidden layers",
  },
  {
    name: 'proxy-steps',
    type: 'int',
    default: 400,
    min: 1,
    max: 10_000_000,
    description: 'Adam steps per proxy member per round',
  },
  { name: 'chains', type: 'int', default: 16, min: 1, max: 100_000, description: 'MCMC chains' },
  {
    name: 'max-back',
    type: 'int',
    default: 3,
    min: 1,
    max: 1000,
    description: 'an MCMC proposal goes back 1..N steps, then forward to an exit',
  },
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    description: 'where the loops and the comparison go (default: runs/optimize-ENV)',
  },
  {
    name: 'resume',
    type: 'string',
    placeholder: 'DIR',
    description: 'continue the loops of DIR from their last complete round (same flags as saved)',
  },
  ...oracleFlags('objects'),
  ...ENV_INPUT_FLAGS,
  BACKEND_FLAG,
  HELP_FLAG,
];

export function optimizeHelp(): string {
  return formatHelp(
    'gfn optimize [--env NAME] [--generators tb,random,mcmc] [--rounds K] [--queries B] [--seeds N] [--out DIR] [--ENV_PARAM value ...]',
    'Multi-round black-box optimization. From initial data (random objects, or --data), each round\n' +
      'fits a proxy (--proxy: MLPs or a Tanimoto GP on the env features) to all scores so far, lets the generator\n' +
      'search the acquisition (UCB, EI or the mean) as its reward, chooses a diverse batch of new\n' +
      'objects from its pool and has the oracle score them (the env reward, or --oracle). A policy\n' +
      'generator is warm-started across rounds. Every round is saved: a loop stopped at any moment\n' +
      'continues with --resume DIR. Writes per loop rounds.jsonl and data.jsonl, and for all loops\n' +
      'optimize.json (config and summary) with top-k.svg, best.svg, modes.svg and calibration.svg;\n' +
      'gfn report DIR makes them an HTML page.',
    OPTIMIZE_FLAGS,
  );
}

export async function optimizeCommand(argv: readonly string[]): Promise<number | void> {
  const first = parseFlags(argv, OPTIMIZE_FLAGS, true);
  if (first.values['help']) {
    process.stdout.write(optimizeHelp());
    return;
  }
  // A resumed comparison takes the saved flags; only --backend and --resume may be given again.
  const resumeDir = first.values['resume'] as string | undefined;
  let effective = [...argv];
  if (resumeDir !== undefined) {
    const path = join(resumeDir, CONFIG_FILE);
    if (!existsSync(path)) {
      throw new UserError(
        `--resume: '${resumeDir}' has no ${CONFIG_FILE} (not a gfn optimize directory)`,
      );
    }
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedConfig;
    const extra = Object.keys(first.values).filter((k) => k !== 'resume' && k !== 'backend');
    if (extra.length > 0 || Object.keys(first.extra).length > 0) {
      throw new UserError(
        `--resume takes the flags saved in ${path}; give only --resume and --backend (not --${extra[0] ?? Object.keys(first.extra)[0]})`,
      );
    }
    effective = [...saved.argv, '--out', resumeDir];
    if (first.values['backend'] !== undefined)
      effective.push('--backend', String(first.values['backend']));
  }
  const parsed = parseFlags(effective, OPTIMIZE_FLAGS, true);
  const values = parsed.values;
  applyDefaults(values, OPTIMIZE_FLAGS);
  const backend = await startBackend(values['backend'] as string);
  const setup = await setupEnv(values, parsed.extra);
  const { env } = setup;
  const generators = methodNames(
    setup,
    'generators',
    values['generators'] as string,
    'generator',
    'policies by loss',
  );
  const options = loopOptions(values);
  const out = resolve(
    (values['out'] as string | undefined) ?? join('runs', `optimize-${env.name}`),
  );
  const seeds = values['seeds'] as number;
  const unlock = lockDir(out);
  try {
    if (resumeDir === undefined) {
      if (existsSync(join(out, CONFIG_FILE))) {
        throw new UserError(
          `'${out}' already holds a gfn optimize comparison: continue it with --resume ${out}, or choose another --out`,
        );
      }
      const saved: SavedConfig = {
        format: 'gflownet-ts/optimize-config@1',
        argv: argv.filter(
          (a, i) => a !== '--out' && argv[i - 1] !== '--out' && !a.startsWith('--out='),
        ),
        env: env.name,
        env_params: setup.params,
        generators,
        seeds,
      };
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, CONFIG_FILE), `${JSON.stringify(saved, null, 2)}\n`);
    }
    const client = oracleClientFromFlags(values, {
      cache: join(out, 'oracle-scores.jsonl'),
    });
    const oracle = client ? clientOracle(env, client) : envRewardOracle(env);
    const initialData = values['data'] ? readDataFile(values['data'] as string, env) : null;
    info(
      `optimizing ${env.name} ${JSON.stringify(setup.params)} with ${generators.join(', ')}: ` +
        `${options.rounds} rounds of ${options.queries} queries (${options.acquisition}), ` +
        `${seeds} seed(s), oracle: ${oracle.name}`,
    );
    const stop = interruptions('round', 'the last complete round is kept');
    try {
      for (const name of generators) {
        for (let seed = 0; seed < seeds; seed++) {
          if (stop.signal.aborted) break;
          const dir = join(out, `${name}-seed${seed}`);
          const saved = readLoopState(dir);
          if (saved && saved.completed >= options.rounds) continue;
          const generator = await makeGenerator(name, seed, saved?.generator ?? null);
          const loop = new OptimizeLoop(
            env,
            generator,
            oracle,
            { ...options.loop, seed },
            dir,
            saved,
          );
          const label = `${name} seed ${seed}`;
          if (saved) info(`${label}: resuming after round ${saved.completed}`);
          try {
            await loop.run(
              {
                signal: stop.signal,
                progress: progressLine(label, options.rounds),
                onRound: (r) => info(roundLine(label, r, options.rounds)),
              },
              initialData,
            );
          } finally {
            loop.dispose();
          }
        }
      }
    } finally {
      stop.dispose();
      await client?.oracle.close?.();
    }
    writeComparison(out);
    if (stop.signal.aborted) {
      info(`stopped; continue with: gfn optimize --resume ${out}`);
      return stop.exitCode();
    }
    info(`wrote ${join(out, CONFIG_FILE)} and its plots (gfn report ${out} makes an HTML page)`);
  } finally {
    // Also on an error: a main() that goes on (tests, embedding) must not keep the lock.
    unlock();
  }

  async function makeGenerator(
    name: string,
    seed: number,
    checkpoint: ReturnType<typeof readCheckpoint> | null,
  ): Promise<Generator> {
    if (name === 'random') return randomGenerator(env, seed);
    const iterations = values['iterations'] as number;
    const batchSize = values['batch-size'] as number;
    if (name === 'mcmc') {
      const chains = values['chains'] as number;
      return mcmcGenerator(env, {
        chains,
        maxBack: values['max-back'] as number,
        // The proposals a policy would sample in training, and at least enough for the pool.
        steps: Math.max(
          Math.ceil((iterations * batchSize) / chains),
          Math.ceil(options.loop.pool / chains),
        ),
        seed,
      });
    }
    const config: Partial<RunConfig> & Pick<RunConfig, 'env'> = {
      env: setup.resolved.name,
      envParams: setup.params,
      loss: name,
      batchSize,
      hidden: (values['hidden'] as string).split(',').map(Number),
      seed,
      backend: backend.name,
    };
    const run = await createRun(config, setup.modules, {
      stateGraph: false,
      ...(checkpoint ? { model: checkpoint.model } : {}),
    });
    if (checkpoint) await run.restore(checkpoint);
    return runGenerator(name, run, iterations);
  }
}

function loopOptions(values: Record<string, FlagValue | undefined>): {
  rounds: number;
  queries: number;
  acquisition: AcquisitionName;
  loop: OptimizeOptions;
} {
  const reward = { beta: values['acq-beta'] as number, floor: values['acq-floor'] as number };
  checkRewardShape(reward);
  const sizes = (flag: string) =>
    (values[flag] as string).split(',').map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new UserError(`--${flag}: '${v}' is not a layer size`);
      return n;
    });
  const acquisition = values['acquisition'] as AcquisitionName;
  const loop: OptimizeOptions = {
    rounds: values['rounds'] as number,
    batch: values['queries'] as number,
    pool: values['pool'] as number,
    initial: values['initial'] as number,
    acquisition,
    kappa: values['kappa'] as number,
    reward,
    minDistance: values['min-distance'] as number,
    topK: values['top-k'] as number,
    modeThreshold: (values['mode-min-score'] as number | undefined) ?? null,
    modeDistance: values['mode-distance'] as number,
    seed: 0,
    proxyModel: values['proxy'] as ProxyName,
    proxy: {
      members: values['members'] as number,
      hidden: sizes('proxy-hidden'),
      steps: values['proxy-steps'] as number,
    },
  };
  sizes('hidden');
  return { rounds: loop.rounds, queries: loop.batch, acquisition, loop };
}

function progressLine(label: string, rounds: number) {
  let last = 0;
  return (round: number, phase: string, done: number, total: number) => {
    const now = Date.now();
    if (now - last < 2000 && done < total) return;
    last = now;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${label} round ${round}/${rounds}: ${phase} ${done}/${total}\x1b[K`);
    }
  };
}

function roundLine(label: string, r: RoundRecord, rounds: number): string {
  const clear = process.stderr.isTTY ? '\r\x1b[K' : '';
  const parts = [
    `${clear}${label} round ${r.round}/${rounds}: ${r.data} scored`,
    `best ${r.best_so_far.toPrecision(4)}`,
    `top-k mean ${r.top_k_mean.toPrecision(4)}`,
  ];
  if (r.batch_mean !== null) parts.push(`batch mean ${r.batch_mean.toPrecision(4)}`);
  if (r.modes_found !== null) parts.push(`modes ${r.modes_found}`);
  if (r.calibration) parts.push(`proxy spearman ${r.calibration.spearman.toFixed(2)}`);
  if (r.oracle_failures > 0) parts.push(`${r.oracle_failures} unscored`);
  parts.push(formatDuration(r.seconds.total));
  return parts.join(', ');
}
