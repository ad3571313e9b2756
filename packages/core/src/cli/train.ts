import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_DEFAULTS, createContainer, createRun } from '../di/run.js';
import { EnvFactory, type RunConfig } from '../di/tokens.js';
import { describeParam } from '../env/params.js';
import { UserError } from '../errors.js';
import { empiricalL1, sampleTerminalStates } from '../metrics/evaluate.js';
import { buildStateGraph } from '../metrics/state-graph.js';
import { JsonlReporter } from '../trainer/jsonl.js';
import { ProgressBar } from '../trainer/progress.js';
import type { Reporter } from '../trainer/reporter.js';
import { Trainer } from '../trainer/trainer.js';
import {
  type FlagSpec,
  type FlagValue,
  convertFlag,
  formatHelp,
  paramPairs,
  parseFlags,
} from './flags.js';
import { loadBuiltinEnvModules, loadModules } from './modules.js';
import { RUN_FILES, type SavedRunConfig, ensureRunDir, writeJsonAtomic } from './run-dir.js';
import { info, resolveEnv, startBackend } from './setup.js';

export const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: 'env',
    type: 'string',
    default: 'hypergrid',
    description:
      'env name, npm package, module or package directory path, or a .gfn spec file (may also come first, without --env)',
  },
  {
    name: 'loss',
    type: 'string',
    default: RUN_DEFAULTS.loss,
    placeholder: 'NAME[:OPT=V,...]',
    description: 'objective: tb, db, fm, subtb, fldb, zvar, mdb or a plugin loss',
  },
  {
    name: 'backward',
    type: 'string',
    default: RUN_DEFAULTS.backward,
    placeholder: 'NAME',
    description: 'backward policy: uniform, learned (shared trunk), separate (own network), env',
  },
  {
    name: 'penalty',
    type: 'string',
    default: RUN_DEFAULTS.penalty,
    placeholder: 'NAME[:OPT=V,...]',
    description: 'regression loss on each residual: squared, cosh, linex',
  },
  {
    name: 'sampler',
    type: 'string',
    default: RUN_DEFAULTS.sampler,
    placeholder: 'NAME[:OPT=V,...]',
    description: 'trajectory sampler: on-policy, local-search',
  },
  {
    name: 'replay',
    type: 'string',
    default: RUN_DEFAULTS.replay,
    placeholder: 'NAME[:OPT=V,...]',
    description: 'replay buffer: none, fifo, terminal, prioritized, diverse',
  },
  {
    name: 'replay-share',
    type: 'float',
    default: RUN_DEFAULTS.replayShare,
    min: 0,
    max: 1,
    description: 'share of each batch replayed from the buffer',
  },
  {
    name: 'iterations',
    type: 'int',
    default: RUN_DEFAULTS.iterations,
    min: 1,
    max: 10_000_000,
    description: 'training iterations',
  },
  {
    name: 'batch-size',
    type: 'int',
    default: RUN_DEFAULTS.batchSize,
    min: 1,
    max: 100_000,
    description: 'trajectories per iteration',
  },
  {
    name: 'lr',
    type: 'float',
    default: RUN_DEFAULTS.lr,
    min: 1e-8,
    max: 10,
    description: 'Adam learning rate of the policy network',
  },
  {
    name: 'lr-logz',
    type: 'float',
    default: RUN_DEFAULTS.lrLogZ,
    min: 1e-8,
    max: 10,
    description: 'Adam learning rate of log Z',
  },
  {
    name: 'hidden',
    type: 'int-list',
    default: RUN_DEFAULTS.hidden,
    min: 1,
    max: 65_536,
    description: 'hidden layer sizes of the MLP',
  },
  {
    name: 'epsilon',
    type: 'schedule',
    default: RUN_DEFAULTS.epsilon,
    min: 0,
    max: 1,
    description: 'share of uniformly random actions while training',
  },
  {
    name: 'temperature',
    type: 'schedule',
    default: RUN_DEFAULTS.temperature,
    min: 1e-3,
    max: 1000,
    description: 'logit temperature while training',
  },
  {
    name: 'seed',
    type: 'int',
    default: RUN_DEFAULTS.seed,
    min: 0,
    max: 2 ** 31 - 1,
    description: 'random seed (weights and sampling)',
  },
  {
    name: 'backend',
    type: 'string',
    default: 'auto',
    choices: ['auto', 'node', 'wasm', 'cpu'],
    description: 'tensor backend',
  },
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
    name: 'eval-every',
    type: 'int',
    default: RUN_DEFAULTS.evalEvery,
    min: 1,
    max: 10_000_000,
    description: "exact metrics (or the env's sample metrics) every N iterations",
  },
  {
    name: 'eval-samples',
    type: 'int',
    default: RUN_DEFAULTS.evalSamples,
    min: 0,
    max: 100_000_000,
    description: 'fresh samples for l1_sampled at the end',
  },
  {
    name: 'param',
    type: 'string',
    repeatable: true,
    placeholder: 'NAME=VALUE',
    description: 'env parameter (same as --NAME VALUE)',
  },
  {
    name: 'plugin',
    type: 'string',
    repeatable: true,
    placeholder: 'MODULE',
    description: 'extra plugin module (package or path)',
  },
  { name: 'quiet', type: 'bool', description: 'no progress bar' },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
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

/** The help text, with the parameters of the built-in envs read from their own declarations. */
export async function trainHelp(): Promise<string> {
  const lines = ['Env parameters are flags too (--NAME VALUE or --param NAME=VALUE):'];
  for (const module of await loadBuiltinEnvModules()) {
    for (const factory of createContainer([module]).getAll<EnvFactory>(EnvFactory)) {
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
} {
  const parsed = parseFlags(argv, TRAIN_FLAGS, true);
  const values: Record<string, FlagValue> = {};
  const envParams: Record<string, string | number> = {};
  const configPath = parsed.values['config'] as string | undefined;
  if (configPath) {
    for (const [key, value] of Object.entries(readConfigFile(configPath))) {
      const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const spec = TRAIN_FLAGS.find((s) => s.name === name);
      if (name === 'params' && typeof value === 'object' && value !== null) {
        Object.assign(envParams, value);
      } else if (spec && !spec.repeatable) {
        values[name] = convertFlag(spec, value);
      } else if (spec) {
        values[name] = (Array.isArray(value) ? value : [value]).map(String);
      } else if (typeof value === 'number' || typeof value === 'string') {
        envParams[key] = value;
      } else {
        throw new UserError(
          `${configPath}: key '${key}' must be a number or string (an env parameter)`,
        );
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
  for (const spec of TRAIN_FLAGS) {
    if (values[spec.name] === undefined && spec.default !== undefined)
      values[spec.name] = spec.default;
  }
  return { values, envParams };
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UserError(`--config: file '${path}' does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(
      `--config: ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`--config: ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export async function trainCommand(argv: readonly string[]): Promise<void> {
  const { values, envParams } = mergeTrainOptions(argv);
  if (values['help']) {
    process.stdout.write(await trainHelp());
    return;
  }
  const backend = await startBackend(values['backend'] as string);
  const pluginSpecs = (values['plugin'] as string[] | undefined) ?? [];
  const { resolved, module: envModule } = await resolveEnv(values['env'] as string, pluginSpecs);
  const plugins = await loadModules(pluginSpecs);
  const config: RunConfig = {
    env: resolved.name,
    envParams,
    loss: values['loss'] as string,
    sampler: values['sampler'] as string,
    backward: values['backward'] as string,
    penalty: values['penalty'] as string,
    replay: values['replay'] as string,
    replayShare: values['replay-share'] as number,
    iterations: values['iterations'] as number,
    batchSize: values['batch-size'] as number,
    lr: values['lr'] as number,
    lrLogZ: values['lr-logz'] as number,
    hidden: values['hidden'] as number[],
    epsilon: values['epsilon'] as number | string,
    temperature: values['temperature'] as number | string,
    seed: values['seed'] as number,
    backend: backend.name,
    evalEvery: values['eval-every'] as number,
    evalSamples: values['eval-samples'] as number,
  };
  const run = createRun(config, [envModule, ...plugins]);
  const out = (values['out'] as string | undefined) ?? defaultRunDir(config);
  ensureRunDir(out);
  const saved: SavedRunConfig = {
    ...config,
    envParams: run.envParams,
    modules: [resolved.module, ...pluginSpecs],
  };
  writeJsonAtomic(join(out, RUN_FILES.config), saved);

  const graph = run.env.enumerable ? await buildStateGraph(run.env) : null;
  info(
    `env ${config.env} ${JSON.stringify(saved.envParams)}; loss ${config.loss}; ` +
      `${config.iterations} iterations x ${config.batchSize} trajectories` +
      (graph ? `; ${graph.numTerminal} terminating states, log Z ${graph.logZ.toFixed(4)}` : ''),
  );
  const reporters: Reporter[] = [new JsonlReporter(join(out, RUN_FILES.metrics))];
  if (!values['quiet']) reporters.push(new ProgressBar());
  const trainer = new Trainer(
    run.model,
    run.loss,
    run.sampler,
    { ...config, replayBuffer: run.replay },
    reporters,
    graph,
  );
  const result = await trainer.train();
  writeJsonAtomic(join(out, RUN_FILES.model), run.model.toJSON());

  let l1Sampled: number | null = null;
  if (graph && config.evalSamples > 0) {
    const terminal = await sampleTerminalStates(run.model, config.evalSamples, config.seed + 7919);
    l1Sampled = empiricalL1(graph, terminal, config.evalSamples);
  }
  const exact = result.exact;
  const summary = {
    env: config.env,
    env_params: saved.envParams,
    loss: config.loss,
    backward: config.backward,
    penalty: config.penalty,
    sampler: config.sampler,
    replay: config.replay,
    iterations: result.iterations,
    batch_size: config.batchSize,
    trajectories: result.trajectories,
    seconds: round(result.seconds, 3),
    iterations_per_second: round(result.iterations / result.seconds, 2),
    backend: backend.name,
    seed: config.seed,
    final_loss: result.finalLoss,
    l1_exact: exact?.l1_exact ?? null,
    l1_mean_exact: exact?.l1_mean_exact ?? null,
    tv_exact: exact?.tv_exact ?? null,
    jsd_exact: exact?.jsd_exact ?? null,
    logz_true: exact?.logz_true ?? null,
    logz_estimate: exact?.logz_estimate ?? run.loss.estimateLogZ(run.model),
    logz_error: exact?.logz_error ?? null,
    l1_sampled: l1Sampled,
    l1_sampled_samples: l1Sampled === null ? 0 : config.evalSamples,
    modes_found: result.modesFound,
    modes_total: result.modesTotal,
    sample_metrics: result.samples,
  };
  writeJsonAtomic(join(out, RUN_FILES.summary), summary);
  trainer.dispose();
  run.model.dispose();
  process.stdout.write(formatSummary(summary, graph?.numTerminal ?? null, out));
}

function defaultRunDir(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${config.env}-${config.loss}-${stamp}`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function formatSummary(
  s: Record<string, unknown>,
  numTerminal: number | null,
  out: string,
): string {
  const lines = [
    `trained ${s['env']} with ${s['loss']}: ${s['iterations']} iterations, ${s['trajectories']} trajectories, ` +
      `${s['seconds']} s (${s['iterations_per_second']} it/s, ${s['backend']})`,
  ];
  if (s['l1_exact'] !== null) {
    lines.push(
      `l1_exact ${fmt(s['l1_exact'])}   (sum over ${numTerminal} terminating states of |p(x) - R(x)/Z|, exact by dynamic programming)`,
      `l1_mean_exact ${fmt(s['l1_mean_exact'])}   jsd_exact ${fmt(s['jsd_exact'])}   log Z error ${fmt(s['logz_error'])}`,
    );
  }
  if (s['l1_sampled'] !== null)
    lines.push(
      `l1_sampled ${fmt(s['l1_sampled'])}   (from ${s['l1_sampled_samples']} fresh samples)`,
    );
  const samples = s['sample_metrics'] as Record<string, number> | null;
  if (samples) {
    lines.push(
      `sampled during training: ${Object.entries(samples)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join('   ')}`,
    );
  }
  if (s['modes_found'] !== null) {
    const total = s['modes_total'] === null ? '' : `/${s['modes_total']}`;
    lines.push(`modes found ${s['modes_found']}${total}`);
  }
  lines.push(`run saved to ${out}`);
  return `${lines.join('\n')}\n`;
}

function fmt(x: unknown): string {
  return typeof x === 'number' && Number.isInteger(x)
    ? String(x)
    : typeof x === 'number'
      ? Math.abs(x) >= 1e-3 || x === 0
        ? x.toFixed(4)
        : x.toExponential(2)
      : String(x);
}
