import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnvFactory,
  JsonlReporter,
  PluginRegistry,
  RUN_CONFIG_FIELDS,
  RUN_FILES,
  type Reporter,
  type RunConfig,
  UserError,
  createRun,
  writeJsonAtomic,
} from '@gflownet/core';
import { describeParam } from '@gflownet/core/env';
import { loadEnvPackages, loadModules, resolveEnv } from './discover.js';
import {
  type FlagSpec,
  type FlagValue,
  convertFlag,
  formatHelp,
  paramPairs,
  parseFlags,
} from './flags.js';
import { ProgressBar } from './progress.js';
import { info, startBackend } from './setup.js';

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
  const env = await resolveEnv(values['env'] as string, pluginSpecs);
  // The env's module comes first; a --plugin module that provides the env is loaded once.
  const plugins = (await loadModules(pluginSpecs)).filter((p) => p.module !== env.module);
  const config: Partial<RunConfig> & Pick<RunConfig, 'env'> = {
    env: env.name,
    envParams,
    backend: backend.name,
  };
  for (const field of RUN_CONFIG_FIELDS) {
    (config as Record<string, unknown>)[field.key] = values[field.name];
  }
  const run = await createRun(config, [{ module: env.module, from: env.from }, ...plugins], {
    modules: [env.from, ...plugins.map((p) => p.from)],
  });
  const c = run.config;
  const out = (values['out'] as string | undefined) ?? defaultRunDir(c);
  run.save(out);

  const graph = run.graph;
  info(
    `env ${c.env} ${JSON.stringify(run.envParams)}; loss ${c.loss}; ` +
      `${c.iterations} iterations x ${c.batchSize} trajectories` +
      (graph ? `; ${graph.numTerminal} terminating states, log Z ${graph.logZ.toFixed(4)}` : ''),
  );
  const reporters: Reporter[] = [new JsonlReporter(join(out, RUN_FILES.metrics))];
  if (!values['quiet']) reporters.push(new ProgressBar());
  const result = await run.train({ reporters });
  run.save(out);

  const evaluation = await run.evaluate({
    samples: graph ? c.evalSamples : 0,
    seed: c.seed + 7919,
  });
  const exact = evaluation.exact;
  const summary = {
    env: c.env,
    env_params: run.envParams,
    loss: c.loss,
    backward: c.backward,
    penalty: c.penalty,
    sampler: c.sampler,
    replay: c.replay,
    iterations: result.iterations,
    batch_size: c.batchSize,
    trajectories: result.trajectories,
    seconds: round(result.seconds, 3),
    iterations_per_second: round(result.iterations / result.seconds, 2),
    backend: backend.name,
    seed: c.seed,
    final_loss: result.finalLoss,
    l1_exact: exact?.l1_exact ?? null,
    l1_mean_exact: exact?.l1_mean_exact ?? null,
    tv_exact: exact?.tv_exact ?? null,
    jsd_exact: exact?.jsd_exact ?? null,
    logz_true: exact?.logz_true ?? null,
    logz_estimate: evaluation.logzEstimate,
    logz_error: exact?.logz_error ?? null,
    l1_sampled: evaluation.l1Sampled,
    l1_sampled_samples: evaluation.l1Sampled === null ? 0 : c.evalSamples,
    modes_found: result.modesFound,
    modes_total: result.modesTotal,
    sample_metrics: result.samples,
  };
  writeJsonAtomic(join(out, RUN_FILES.summary), summary);
  run.dispose();
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
