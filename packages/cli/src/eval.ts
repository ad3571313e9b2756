import { type FlagSpec, RUN_DIR_FLAGS, formatHelp, parseFlags } from './flags.js';
import { CHECK_LIMIT_FLAG } from './model-check.js';
import { openRun } from './load-run.js';

export const EVAL_FLAGS: FlagSpec[] = [
  ...RUN_DIR_FLAGS,
  CHECK_LIMIT_FLAG,
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
  const e = await run.evaluate({
    samples,
    seed: (values['seed'] as number | undefined) ?? 0,
    sampleMetrics: true,
  });
  const result: Record<string, unknown> = {
    env: run.config.env,
    loss: run.config.loss,
    backend: backend.name,
    ...(e.exact ?? { logz_estimate: e.logzEstimate }),
  };
  if (samples > 0) {
    if (e.l1Sampled !== null) result['l1_sampled'] = e.l1Sampled;
    result['samples'] = samples;
    if (e.modesInSamples !== null) {
      result['modes_in_samples'] = e.modesInSamples;
      result['modes_total'] = e.modesTotal;
    }
    if (e.sampleMetrics) result['sample_metrics'] = e.sampleMetrics;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  run.dispose();
}
