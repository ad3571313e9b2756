import { empiricalL1, exactMetrics, sampleTerminalStates } from '../metrics/evaluate.js';
import { ModeTracker } from '../metrics/modes.js';
import { buildStateGraph } from '../metrics/state-graph.js';
import { type FlagSpec, RUN_DIR_FLAGS, formatHelp, parseFlags } from './flags.js';
import { openRun } from './load-run.js';

export const EVAL_FLAGS: FlagSpec[] = [
  ...RUN_DIR_FLAGS,
  {
    name: 'samples',
    type: 'int',
    default: 100_000,
    min: 0,
    max: 100_000_000,
    description: 'fresh samples for l1_sampled',
  },
];

export function evalHelp(): string {
  return formatHelp(
    'gfn eval --run DIR [--samples N]',
    'Metrics of a trained run, as one JSON object: exact l1 / l1_mean / jsd / log Z error by dynamic\n' +
      'programming when the env is enumerable, l1_sampled from fresh samples, modes among them, and\n' +
      "the env's sample metrics of them where it has some (molecules: top-k, modes, diversity).",
    EVAL_FLAGS,
  );
}

export async function evalCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, EVAL_FLAGS, false);
  if (values['help']) {
    process.stdout.write(evalHelp());
    return;
  }
  const { run, backend } = await openRun(values, 'eval');
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
    const tracker = run.env.createSampleTracker?.() ?? null;
    if (tracker) {
      await tracker.observe(terminal, samples, await run.env.logReward(terminal, samples));
      result['sample_metrics'] = tracker.report();
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  run.model.dispose();
}
