import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type RunConfig, createRun } from '@gflownet/core';
import {
  type ComparisonMethod,
  type ComparisonPoint,
  gflownetMethod,
  mcmcMethod,
  randomMethod,
  runOnBudget,
} from '@gflownet/core/baselines';
import { buildStateGraph } from '@gflownet/core/metrics';
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
import { info, startBackend } from './setup.js';
import { type Series, lineChart } from './svg.js';

export const COMPARE_FLAGS: FlagSpec[] = [
  {
    name: 'env',
    type: 'string',
    default: 'hypergrid',
    description: 'env name, npm package, module path or .gfn spec file',
  },
  {
    name: 'methods',
    type: 'string',
    default: 'tb,random,mcmc',
    description:
      'comma-separated: GFlowNet objectives by loss name (tb, db, fm, subtb, ...) and baselines ' +
      "(random: uniform rollouts; mcmc: Metropolis-Hastings with the env's own actions)",
  },
  {
    name: 'budget',
    type: 'int',
    default: 100_000,
    min: 1,
    max: 1e12,
    placeholder: 'N',
    description: 'states visited (or objects, see --budget-of) per run',
  },
  {
    name: 'budget-of',
    type: 'string',
    default: 'states',
    choices: ['states', 'objects'],
    description:
      'states: every state a method steps into; objects: terminating objects produced, i.e. oracle calls',
  },
  { name: 'seeds', type: 'int', default: 3, min: 1, max: 100, description: 'runs per method' },
  {
    name: 'points',
    type: 'int',
    default: 20,
    min: 1,
    max: 1000,
    description: 'points per curve, evenly spaced in states visited',
  },
  {
    name: 'batch-size',
    type: 'int',
    default: 16,
    min: 1,
    max: 100_000,
    description: 'trajectories per iteration (GFlowNets) and rollouts per batch (random)',
  },
  {
    name: 'hidden',
    type: 'string',
    default: '256,256',
    description: "the GFlowNets' MLP hidden layer sizes",
  },
  { name: 'chains', type: 'int', default: 16, min: 1, max: 100_000, description: 'MCMC chains' },
  {
    name: 'beta',
    type: 'float',
    default: 1,
    min: 0,
    description: "MCMC's target is R^beta / Z",
  },
  {
    name: 'max-back',
    type: 'int',
    default: 3,
    min: 1,
    max: 1000,
    description: 'an MCMC proposal goes back 1..N steps, then forward to an exit',
  },
  {
    name: 'top-k',
    type: 'int',
    default: 100,
    min: 1,
    max: 1_000_000,
    description: 'k of the top-k mean reward of distinct objects',
  },
  ...MODE_FLAGS,
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    description: 'where compare.json and the SVG plots go (default: runs/compare-ENV)',
  },
  ...ENV_INPUT_FLAGS,
  BACKEND_FLAG,
  HELP_FLAG,
];

export function compareHelp(): string {
  return formatHelp(
    'gfn compare [--env NAME] [--methods tb,random,mcmc] [--budget N] [--seeds N] [--out DIR] [--ENV_PARAM value ...]',
    'Runs several methods on one env for the same budget of states visited, over several seeds,\n' +
      "and writes compare.json (each run's curve: modes found, empirical L1 to R/Z where the env is\n" +
      'enumerable, top-k mean reward, distinct objects) with modes.svg, l1.svg and topk.svg (means\n' +
      'over seeds). GFlowNets train as they go; random and mcmc need no training.',
    COMPARE_FLAGS,
  );
}

interface MethodResult {
  method: string;
  seed: number;
  seconds: number;
  points: ComparisonPoint[];
}

export async function compareCommand(argv: readonly string[]): Promise<void> {
  const parsed = parseFlags(argv, COMPARE_FLAGS, true);
  const values = parsed.values;
  applyDefaults(values, COMPARE_FLAGS);
  if (values['help']) {
    process.stdout.write(compareHelp());
    return;
  }
  const backend = await startBackend(values['backend'] as string);
  const setup = await setupEnv(values, parsed.extra);
  const { resolved, modules, params, env } = setup;
  const methods = methodNames(
    setup,
    'methods',
    values['methods'] as string,
    'method',
    'objectives',
  );
  const graph = env.enumerable ? await buildStateGraph(env) : null;
  const budget = values['budget'] as number;
  const unit = values['budget-of'] as 'states' | 'objects';
  const xKey = unit === 'objects' ? 'objects' : 'states_visited';
  const xLabel = unit === 'objects' ? 'objects (oracle calls)' : 'states visited';
  const seeds = values['seeds'] as number;
  const batchSize = values['batch-size'] as number;
  const hidden = (values['hidden'] as string).split(',').map(Number);
  const results: MethodResult[] = [];
  info(
    `comparing ${methods.join(', ')} on ${env.name} ${JSON.stringify(params)}: ${budget} ` +
      `${unit === 'objects' ? 'objects' : 'states visited'} per run, ${seeds} seed(s)${graph ? `, ${graph.numTerminal} terminating states` : ''}`,
  );
  for (const name of methods) {
    for (let seed = 0; seed < seeds; seed++) {
      const method = await makeMethod(name, seed);
      const t0 = performance.now();
      try {
        const points = await runOnBudget(env, method, {
          budget,
          points: values['points'] as number,
          topK: values['top-k'] as number,
          graph,
          unit,
          modeThreshold: (values['mode-min-score'] as number | undefined) ?? null,
          modeDistance: values['mode-distance'] as number,
        });
        const seconds = (performance.now() - t0) / 1000;
        results.push({ method: name, seed, seconds, points });
        const last = points.at(-1)!;
        info(
          `${name} seed ${seed}: ${last.states_visited} states, ${last.objects} objects` +
            (last.modes_found !== undefined
              ? `, modes ${last.modes_found}${env.numModes ? `/${env.numModes}` : ''}`
              : '') +
            (last.l1_empirical !== undefined ? `, L1 ${last.l1_empirical.toFixed(4)}` : '') +
            `, top-${values['top-k'] as number} mean score ${last.top_k_mean_reward.toPrecision(4)}` +
            ` (${seconds.toFixed(1)} s)`,
        );
      } finally {
        method.dispose();
      }
    }
  }

  async function makeMethod(name: string, seed: number): Promise<ComparisonMethod> {
    if (name === 'random') return randomMethod(env, seed, batchSize);
    if (name === 'mcmc') {
      return mcmcMethod(env, {
        chains: values['chains'] as number,
        beta: values['beta'] as number,
        maxBack: values['max-back'] as number,
        seed,
      });
    }
    const config: Partial<RunConfig> & Pick<RunConfig, 'env'> = {
      env: resolved.name,
      envParams: params,
      loss: name,
      batchSize,
      hidden,
      seed,
      backend: backend.name,
    };
    return gflownetMethod(name, await createRun(config, modules));
  }

  const out = resolve((values['out'] as string | undefined) ?? join('runs', `compare-${env.name}`));
  mkdirSync(out, { recursive: true });
  const summary = summarize(results, methods, env.numModes);
  writeFileSync(
    join(out, 'compare.json'),
    `${JSON.stringify({ env: env.name, env_params: params, budget, seeds, methods, summary, runs: results }, null, 2)}\n`,
  );
  const charts: [string, keyof ComparisonPoint, string, boolean][] = [
    ['modes.svg', 'modes_found', 'modes found', false],
    ['l1.svg', 'l1_empirical', 'empirical L1 to R/Z', true],
    ['topk.svg', 'top_k_mean_reward', `top-${values['top-k'] as number} mean score`, false],
  ];
  for (const [file, key, label, logY] of charts) {
    const series = meanCurves(results, methods, key, xKey);
    if (series.every((s) => s.points.length === 0)) continue;
    writeFileSync(
      join(out, file),
      lineChart(series, {
        title: `${label} vs ${xLabel} (${env.name}, mean of ${seeds} seed(s))`,
        xLabel,
        yLabel: label,
        logY,
      }),
    );
  }
  info(`wrote ${join(out, 'compare.json')} and its plots`);
}

/** Per method, the mean over seeds of `key` at each point (points align by index). */
function meanCurves(
  results: readonly MethodResult[],
  methods: readonly string[],
  key: keyof ComparisonPoint,
  xKey: 'states_visited' | 'objects',
): Series[] {
  return methods.map((name) => {
    const runs = results.filter((r) => r.method === name);
    const length = Math.min(...runs.map((r) => r.points.length));
    const points: [number, number][] = [];
    for (let i = 0; i < length; i++) {
      const at = runs.map((r) => r.points[i]!);
      const ys = at.map((p) => p[key]).filter((v): v is number => typeof v === 'number');
      if (ys.length === 0) continue;
      const x = at.reduce((s, p) => s + p[xKey], 0) / at.length;
      points.push([x, ys.reduce((s, v) => s + v, 0) / ys.length]);
    }
    return { name, points };
  });
}

/** Per method: final figures averaged over seeds, and the states visited until every mode. */
function summarize(
  results: readonly MethodResult[],
  methods: readonly string[],
  numModes: number | undefined,
): Record<string, Record<string, number | null>> {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : null);
  return Object.fromEntries(
    methods.map((name) => {
      const runs = results.filter((r) => r.method === name);
      const finals = runs.map((r) => r.points.at(-1)!);
      const allModes = runs.map(
        (r) =>
          r.points.find((p) => numModes !== undefined && p.modes_found === numModes)
            ?.states_visited,
      );
      return [
        name,
        {
          modes_found: mean(
            finals.flatMap((p) => (p.modes_found === undefined ? [] : [p.modes_found])),
          ),
          l1_empirical: mean(
            finals.flatMap((p) => (p.l1_empirical === undefined ? [] : [p.l1_empirical])),
          ),
          top_k_mean_reward: mean(finals.map((p) => p.top_k_mean_reward)),
          // Seeds that found every mode, and the mean states visited by then.
          runs_with_all_modes: allModes.filter((v) => v !== undefined).length,
          states_to_all_modes: mean(allModes.filter((v): v is number => v !== undefined)),
          seconds: mean(runs.map((r) => r.seconds)),
        },
      ];
    }),
  );
}
