import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BackendInfo,
  EnvFactory,
  JsonlReporter,
  NonFiniteError,
  PluginRegistry,
  RUN_CONFIG_FIELDS,
  RUN_FILES,
  type Reporter,
  type Run,
  type RunConfig,
  UserError,
  createRun,
  listNames,
  readRunConfig,
  resumeRun,
} from '@gflownet/core';
import { describeParam, resolveEnvParams } from '@gflownet/core/env';
import { type OracleReward, oracleClientFromFlags, oracleFlags } from '@gflownet/core/oracles';
import { LearnerQueue } from '@gflownet/queue';
import { ACTOR_LOADER } from './actor-loader.js';
import {
  type ResolvedEnv,
  loadEnvPackages,
  loadModules,
  loadRunModules,
  resolveEnv,
} from './discover.js';
import {
  BACKEND_FLAG,
  ENV_INPUT_FLAGS,
  HELP_FLAG,
  type FlagSpec,
  type FlagValue,
  applyDefaults,
  convertFlag,
  didYouMean,
  formatHelp,
  paramPairs,
  parseFlags,
} from './flags.js';
import { absoluteInputParams, keepInputs, runInputs } from './inputs.js';
import { CHECK_LIMIT_FLAG, modelCheckEnv } from './model-check.js';
import { ProgressBar } from './progress.js';
import { type RunDirTarget, lockDir, newRunDir } from './run-dir.js';
import { info, interruptions, startBackend } from './setup.js';
import { finishRun } from './summary.js';
import { QUEUE_FLAGS } from './worker.js';

export const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: 'env',
    type: 'string',
    default: 'hypergrid',
    description:
      'env name, npm package, module or package directory path, or a .gfn spec file (may also come first, without --env)',
  },
  // Every field of the run configuration, with the defaults and ranges core declares.
  ...RUN_CONFIG_FIELDS.map(({ key: _key, ...flag }) => flag),
  BACKEND_FLAG,
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    description: 'run directory (default runs/<env>-<loss>-<time>)',
  },
  {
    name: 'config',
    type: 'string',
    placeholder: 'FILE',
    description: 'JSON file whose keys mirror these flags (flags win)',
  },
  {
    name: 'resume',
    type: 'string',
    placeholder: 'DIR',
    description:
      'continue the run in DIR from its last checkpoint; --iterations then counts the total iterations',
  },
  {
    name: 'force',
    type: 'bool',
    description:
      'replace the run in a non-empty --out, once the new one has saved its first checkpoint',
  },
  {
    name: 'checkpoint-every',
    type: 'int',
    min: 1,
    max: 10_000_000,
    placeholder: 'N',
    description: 'checkpoint every N iterations (default: every 60 s of training, and at the end)',
  },
  {
    name: 'trust',
    type: 'bool',
    description:
      'with --resume: load the plugin modules the run names without naming them with --plugin',
  },
  ...ENV_INPUT_FLAGS,
  CHECK_LIMIT_FLAG,
  ...oracleFlags(),
  {
    name: 'oracle-reward',
    type: 'string',
    default: 'value',
    choices: ['value', 'log'],
    description: 'with --oracle: the score is R(x) (value, must be > 0) or log R(x) (log)',
  },
  ...QUEUE_FLAGS,
  { name: 'quiet', type: 'bool', description: 'no progress bar' },
  HELP_FLAG,
];

/** Flags that change how a run is carried out, not what it learns: allowed with --resume. */
const OPERATIONAL_FLAGS = [
  'resume',
  'iterations',
  'plugin',
  'trust',
  'quiet',
  'backend',
  'checkpoint-every',
  'help',
  ...oracleFlags().map((f) => f.name),
  'oracle-reward',
  ...QUEUE_FLAGS.map((f) => f.name),
];

const TRAIN_FOOTER = `Writes config.json, model.json, metrics.jsonl and summary.json to the run directory and prints the
distance of the trained sampler to R/Z: l1 is sum_x |p(x) - R(x)/Z| (torchgfn's convention),
l1_mean divides it by the number of terminating states (the 2021 paper's).

Plugins take options as NAME:KEY=VALUE,... (e.g. --loss subtb:lambda=0.95, --replay
prioritized:capacity=500); 'gfn plugins' lists every plugin with its options. --epsilon and
--temperature take a number or a schedule over iterations: linear(START, END, STEPS) (then held)
or exp(START, END, TAU) (END + (START - END) e^(-t/TAU)).

Examples:
  gfn train --env hypergrid --ndim 2 --height 8 --loss tb --batch-size 128 --iterations 250
  gfn train --loss subtb:lambda=0.9 --backward learned --epsilon 'linear(0.5, 0, 500)'
  gfn train --sampler local-search:backtrack=3 --replay prioritized:capacity=200 --replay-share 0.25
  gfn train --env molecule --mode fragments --reward qed --batch-size 32 --iterations 1000`;

/** The help text, with the parameters of the installed envs read from their own declarations. */
export async function trainHelp(): Promise<string> {
  const lines = ['Env parameters are flags too (--NAME VALUE or --param NAME=VALUE):'];
  for (const { module, from } of await loadEnvPackages()) {
    for (const factory of PluginRegistry.load([{ module, from }]).all(EnvFactory)) {
      lines.push(`  ${factory.name}:`);
      for (const p of factory.params) {
        const value = { int: 'N', float: 'X', choice: 'NAME', string: 'TEXT' }[p.type];
        const values = describeParam(p);
        lines.push(`    --${p.name} ${value}  ${p.description}${values ? ` (${values})` : ''}`);
      }
    }
  }
  return formatHelp(
    'gfn train [SPEC.gfn] [options] [--ENV_PARAM value ...]',
    'Train a GFlowNet.',
    TRAIN_FLAGS,
    `${lines.join('\n')}\n\n${TRAIN_FOOTER}`,
  );
}

/** Flags first, then the config file, then defaults. Unknown keys are env parameters. */
export function mergeTrainOptions(argv: readonly string[]): {
  values: Record<string, FlagValue>;
  envParams: Record<string, string | number>;
  /** The flags given on the command line or in the config file (not defaulted). */
  given: Set<string>;
} {
  const parsed = parseFlags(argv, TRAIN_FLAGS, true);
  const values: Record<string, FlagValue> = {};
  const envParams = Object.create(null) as Record<string, string | number>;
  const configPath = parsed.values['config'] as string | undefined;
  if (configPath) {
    const seen = new Map<string, string>();
    for (const [key, value] of Object.entries(readConfigFile(configPath))) {
      const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const twin = seen.get(name);
      if (twin !== undefined) {
        throw new UserError(`${configPath}: '${key}' and '${twin}' set the same option; keep one`);
      }
      seen.set(name, key);
      const spec = TRAIN_FLAGS.find((s) => s.name === name);
      try {
        if (name === 'params' && typeof value === 'object' && value !== null) {
          Object.assign(envParams, value);
        } else if (spec && !spec.repeatable) {
          values[name] = convertFlag(spec, value);
        } else if (spec) {
          values[name] = (Array.isArray(value) ? value : [value]).map(String);
        } else if (typeof value === 'number' || typeof value === 'string') {
          envParams[key] = value;
        } else {
          throw new UserError(`'${key}' must be a number or string (an env parameter)`);
        }
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        throw new UserError(`${configPath}: ${err.message}`);
      }
    }
  }
  Object.assign(values, parsed.values);
  Object.assign(envParams, parsed.extra);
  Object.assign(envParams, paramPairs(parsed.values['param'] as string[] | undefined));
  if (parsed.positional.length > 0) {
    if (parsed.positional.length > 1 || values['env'] !== undefined) {
      throw new UserError(`unexpected argument '${parsed.positional.at(-1)}'`);
    }
    values['env'] = parsed.positional[0]!;
  }
  const given = new Set(Object.keys(values));
  applyDefaults(values, TRAIN_FLAGS);
  return { values, envParams, given };
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UserError(`--config: file '${path}' does not exist`);
  if (statSync(path).isDirectory()) throw new UserError(`--config: '${path}' is a directory`);
  const text = readFileSync(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `--config: ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`--config: ${path} must hold a JSON object`);
  }
  const repeated = repeatedKeys(text);
  if (repeated.length > 0) {
    throw new UserError(`${path}: key '${repeated[0]}' is given more than once; keep one`);
  }
  // A fresh object without prototype, so that a key '__proto__' is reported, not swallowed.
  return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
}

/** Keys that a JSON object's text gives twice at its top level (JSON.parse keeps the last). */
function repeatedKeys(text: string): string[] {
  const keys = new Set<string>();
  const repeated: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const rest = text.slice(j + 1).trimStart();
      if (depth === 1 && rest.startsWith(':')) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) repeated.push(key);
        keys.add(key);
      }
      i = j;
    }
  }
  return repeated;
}

export async function trainCommand(argv: readonly string[]): Promise<number | void> {
  const { values, envParams, given } = mergeTrainOptions(argv);
  if (values['help']) {
    process.stdout.write(await trainHelp());
    return;
  }
  const resume = values['resume'] as string | undefined;
  if (resume !== undefined) checkResumeFlags(given, envParams);
  const backend = await startBackend(values['backend'] as string);
  const pluginSpecs = (values['plugin'] as string[] | undefined) ?? [];
  const redis = values['redis'] as string | undefined;
  const oracleSpec = values['oracle'] as string | undefined;
  // With --redis, actor batches and oracle calls go to gfn worker processes through queues.
  const remote = redis ? await LearnerQueue.open(redis, values['queue'] as string, info) : null;
  // The run directory's locks, released however training ends.
  const unlocks: (() => void)[] = [];
  try {
    return await trainWith(
      unlocks,
      values,
      envParams,
      given,
      backend,
      pluginSpecs,
      remote,
      oracleSpec,
    );
  } finally {
    for (const unlock of unlocks) unlock();
    await remote?.close();
  }
}

async function trainWith(
  // One process writes a run directory: a second gfn train --resume (or --force) of a run that
  // is training is refused. The locks taken go here.
  unlocks: (() => void)[],
  values: Record<string, FlagValue>,
  envParams: Record<string, string | number>,
  given: Set<string>,
  backend: BackendInfo,
  pluginSpecs: string[],
  remote: LearnerQueue | null,
  oracleSpec: string | undefined,
): Promise<number | void> {
  const resume = values['resume'] as string | undefined;
  const actors = remote ? { actors: remote.actorsFactory() } : {};
  let run: Run;
  let target: RunDirTarget;
  let metricsFrom: number | undefined;
  let iterations: number;
  if (resume !== undefined) {
    const saved = readRunConfig(resume);
    unlocks.push(lockDir(resume));
    const kept = runInputs(resume, saved, info);
    const modules = await loadRunModules(kept.modules, pluginSpecs, values['trust'] === true);
    const total = given.has('iterations') ? (values['iterations'] as number) : saved.iterations;
    const resumed = await resumeRun(resume, modules, {
      iterations: total,
      envParams: kept.envParams,
      loader: ACTOR_LOADER,
      ...actors,
    });
    run = resumed.run;
    const bytes = resumed.checkpoint.extra['metricsBytes'];
    metricsFrom = typeof bytes === 'number' ? bytes : undefined;
    if (total <= run.iteration) {
      await run.close();
      throw new UserError(
        `--resume: the run in '${resume}' is at iteration ${run.iteration} already; ` +
          `give --iterations above ${run.iteration} (the total, not the additional iterations)`,
      );
    }
    iterations = total - run.iteration;
    run.save(resume);
    target = { current: resume, final: resume, commit: () => {}, discard: () => {} };
    info(`resuming ${resume} at iteration ${run.iteration} of ${total}`);
  } else {
    const env = await resolveEnv(values['env'] as string, pluginSpecs);
    // The env's module comes first; a --plugin module that provides the env is loaded once.
    const plugins = (await loadModules(pluginSpecs)).filter((p) => p.module !== env.module);
    const factory = checkEnvParams(env, envParams);
    const checkLimit = values['check-limit'] as number;
    if (checkLimit > 0) {
      const params = absoluteInputParams(factory, envParams) as Record<string, string | number>;
      await modelCheckEnv(factory.create(resolveEnvParams(factory, params)), checkLimit);
    }
    const config: Partial<RunConfig> & Pick<RunConfig, 'env'> = {
      env: env.name,
      envParams: absoluteInputParams(factory, envParams),
      backend: backend.name,
    };
    for (const field of RUN_CONFIG_FIELDS) {
      (config as Record<string, unknown>)[field.key] = values[field.name];
    }
    run = await createRun(config, [{ module: env.module, from: env.from }, ...plugins], {
      modules: [env.from, ...plugins.map((p) => p.from)],
      loader: ACTOR_LOADER,
      ...actors,
    });
    target = newRunDir(
      values['out'] as string | undefined,
      values['force'] === true,
      defaultRunName(run.config),
    );
    // With --force, the run being replaced is locked too until the new one takes its place.
    try {
      unlocks.push(lockDir(target.current));
      if (target.final !== target.current) unlocks.push(lockDir(target.final));
    } catch (err) {
      target.discard();
      throw err;
    }
    run.inputs = keepInputs(target.current, factory, run.envParams, run.modules);
    run.save(target.current);
    iterations = run.config.iterations;
  }
  // With --oracle, fresh objects are scored by it; its scores are kept in the run directory
  // unless --oracle-cache says where.
  const timeoutMs = (values['oracle-timeout'] as number) * 1000;
  const oracle = oracleClientFromFlags(values, {
    cache: join(target.current, RUN_FILES.oracleScores),
    ...(remote && oracleSpec ? { oracle: remote.oracle(oracleSpec, timeoutMs) } : {}),
  });
  run.useOracle(oracle, values['oracle-reward'] as OracleReward);
  try {
    if (remote) {
      if (run.config.workers === 0 && !oracleSpec) {
        throw new UserError(
          '--redis: nothing to send to workers; give --workers N (batches sampled by remote ' +
            'workers) and/or --oracle SPEC (objects scored by them)',
        );
      }
      await remote.start({ env: run.config.env, modules: run.modules, oracle: oracleSpec ?? null });
      info(
        `sending ${[
          run.config.workers > 0 ? `${run.config.workers} batches at a time` : '',
          oracleSpec ? 'oracle calls' : '',
        ]
          .filter(Boolean)
          .join(' and ')} to gfn worker processes (queue '${values['queue']}')`,
      );
    }
    return await trainInto(run, target, iterations, metricsFrom, values, backend);
  } finally {
    target.discard();
    await run.close();
    await oracle?.close();
  }
}

/** Trains with checkpoints, Ctrl-C and SIGTERM handling, then writes the summary. */
async function trainInto(
  run: Run,
  target: RunDirTarget,
  iterations: number,
  metricsFrom: number | undefined,
  values: Record<string, FlagValue>,
  backend: BackendInfo,
): Promise<number | void> {
  const c = run.config;
  const graph = run.graph;
  const end = run.iteration + iterations;
  info(
    `env ${c.env} ${JSON.stringify(run.envParams)}; loss ${c.loss}; ` +
      `${iterations} iterations x ${c.batchSize} trajectories` +
      (graph ? `; ${graph.numTerminal} terminating states, log Z ${graph.logZ.toFixed(4)}` : ''),
  );
  const jsonl = new JsonlReporter(join(target.current, RUN_FILES.metrics), {
    ...(metricsFrom !== undefined ? { resumeAt: metricsFrom } : {}),
  });
  const reporters: Reporter[] = [jsonl];
  if (!values['quiet']) reporters.push(new ProgressBar());
  const every = values['checkpoint-every'] as number | undefined;
  const checkpoint = {
    dir: target.current,
    ...(every !== undefined ? { every } : { seconds: DEFAULT_CHECKPOINT_SECONDS }),
    extra: () => ({ metricsBytes: jsonl.bytes }),
    afterSave: () => {
      target.commit();
      checkpoint.dir = target.final;
    },
  };
  const stop = interruptions('iteration', 'the last checkpoint is kept');
  try {
    const result = await run.train({ iterations, reporters, signal: stop.signal, checkpoint });
    if (result.aborted) {
      await run.saveCheckpoint(target.current, { metricsBytes: jsonl.bytes });
      target.commit();
      jsonl.onEnd();
      process.stderr.write(
        `\ninterrupted at iteration ${run.iteration} of ${end}; ` +
          `the run is saved in ${target.final}\nresume it with: gfn train --resume ${target.final}\n`,
      );
      return stop.exitCode();
    }
    run.save(target.final);
    await finishRun(run, result, target.final, backend);
  } catch (err) {
    jsonl.onEnd();
    if (err instanceof NonFiniteError && existsSync(join(target.final, RUN_FILES.checkpoint))) {
      throw new UserError(
        `${err.message}\nthe last good checkpoint is in ${target.final} ` +
          `(resume with gfn train --resume ${target.final}, or use --on-nan skip)`,
      );
    }
    throw err;
  } finally {
    stop.dispose();
  }
}

/** Checkpoints every minute of training unless --checkpoint-every says otherwise. */
const DEFAULT_CHECKPOINT_SECONDS = 60;

/**
 * Flags that are neither gfn train's nor the env's: a typo is reported as an unknown flag with a
 * suggestion, not as an env parameter the env lacks.
 */
function checkEnvParams(env: ResolvedEnv, envParams: Record<string, unknown>): EnvFactory {
  const factory = PluginRegistry.load([{ module: env.module, from: env.from }]).envFactory(
    env.name,
  );
  const params = factory.params.map((p) => p.name);
  for (const name of Object.keys(envParams)) {
    if (params.includes(name)) continue;
    const hint = didYouMean(name, [...TRAIN_FLAGS.map((f) => f.name), ...params]);
    throw new UserError(
      `unknown flag --${name}${hint ? ` (did you mean --${hint}?)` : ''}: not a gfn train flag, ` +
        `and env '${env.name}' has no such parameter (its parameters: ${listNames(params) || 'none'})`,
    );
  }
  return factory;
}

/** Flags that would change a run being resumed are refused: the run keeps its config. */
function checkResumeFlags(given: ReadonlySet<string>, envParams: Record<string, unknown>): void {
  const allowed = new Set(OPERATIONAL_FLAGS);
  const changed = [...given].filter((name) => !allowed.has(name));
  const params = Object.keys(envParams);
  if (changed.length + params.length > 0) {
    const names = [...changed, ...params].map((n) => `--${n}`).join(', ');
    throw new UserError(
      `--resume continues a run with the config it was started with; ${names} cannot change ` +
        `(allowed with --resume: ${OPERATIONAL_FLAGS.filter((f) => f !== 'resume' && f !== 'help')
          .map((f) => `--${f}`)
          .join(', ')})`,
    );
  }
}

/** The default run name: env, loss and the time it started. */
function defaultRunName(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${config.env}-${config.loss}-${stamp}`;
}
