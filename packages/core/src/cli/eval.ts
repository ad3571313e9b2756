import { empiricalL1, exactMetrics, sampleTerminalStates } from '../metrics/evaluate.js';
import { ModeTracker } from '../metrics/modes.js';
import { buildStateGraph } from '../metrics/state-graph.js';
import { UserError } from '../errors.js';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';
import { loadRun } from './load-run.js';
import { startBackend } from './setup.js';

export const EVAL_FLAGS: FlagSpec[] = [
  {
    name: 'run',
    type: 'string',
    placeholder: 'DIR',
    description: 'run directory written by gfn train (required)',
  },
  {
    name: 'samples',
    type: 'int',
    default: 100_000,
    min: 0,
    max: 100_000_000,
    description: 'fresh samples for l1_sampled',
  },
  { name: 'seed', type: 'int', default: 0, min: 0, max: 2 ** 31 - 1, description: 'random seed' },
  {
    name: 'backend',
    type: 'string',
    default: 'auto',
    choices: ['auto', 'node', 'wasm', 'cpu'],
    description: 'tensor backend',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function evalHelp(): string {
  return formatHelp(
    'gfn eval --run DIR [--samples N]',
    'Metrics of a trained run, as one JSON object: exact l1 / l1_mean / jsd / log Z error by dynamic\n' +
      'programming when the env is enumerable, l1_sampled from fresh samples, modes among them.',
    EVAL_FLAGS,
  );
}

export async function evalCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, EVAL_FLAGS, false);
  if (values['help']) {
    process.stdout.write(evalHelp());
    return;
  }
  const dir = values['run'] as string | undefined;
  if (!dir) throw new UserError('gfn eval: --run DIR is required');
  const backend = await startBackend((values['backend'] as string | undefined) ?? 'auto');
  const run = await loadRun(dir);
  const samples = (values['samples'] as number | undefined) ?? 100_000;
  const seed = (values['seed'] as number | undefined) ?? 0;
  const graph = run.env.enumerable ? await buildStateGraph(run.env) : null;
  const result: Record<string, unknown> = {
    env: run.config.env,
    loss: run.config.loss,
    backend: backend.name,
  };
  if (graph) Object.assign(result, exactMetrics(run.model, run.loss, graph));
  else result['logz_estimate'] = run.loss.estimateLogZ(run.model);
  if (samples > 0) {
    const terminal = await sampleTerminalStates(run.model, samples, seed);
    if (graph) result['l1_sampled'] = empiricalL1(graph, terminal, samples);
    result['samples'] = samples;
    const modes = new ModeTracker(run.env);
    if (modes.enabled) {
      modes.observe(terminal, samples);
      result['modes_in_samples'] = modes.found;
      result['modes_total'] = modes.total;
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  run.model.dispose();
}
