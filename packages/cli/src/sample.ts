import { createWriteStream } from 'node:fs';
import { sampleTerminalStates } from '@gflownet/core/metrics';
import { type FlagSpec, RUN_DIR_FLAGS, formatHelp, parseFlags } from './flags.js';
import { openRun } from './load-run.js';

export const SAMPLE_FLAGS: FlagSpec[] = [
  ...RUN_DIR_FLAGS,
  {
    name: 'num',
    alias: 'n',
    type: 'int',
    default: 1000,
    min: 1,
    max: 100_000_000,
    description: 'number of terminating states to sample',
  },
  {
    name: 'out',
    type: 'string',
    placeholder: 'FILE',
    description: 'output file (default: standard output)',
  },
];

export function sampleHelp(): string {
  return formatHelp(
    'gfn sample --run DIR [-n N] [--out FILE]',
    "Sample terminating states from a trained run: one JSON array of ints per line, or the env's\n" +
      'text form of each object where it has one (SMILES for molecules).',
    SAMPLE_FLAGS,
  );
}

export async function sampleCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, SAMPLE_FLAGS, false);
  if (values['help']) {
    process.stdout.write(sampleHelp());
    return;
  }
  const { run } = await openRun(values, 'sample');
  const n = (values['num'] as number | undefined) ?? 1000;
  const terminal = await sampleTerminalStates(
    run.model,
    n,
    (values['seed'] as number | undefined) ?? 0,
  );
  const d = run.env.stateDim;
  const outPath = values['out'] as string | undefined;
  const stream = outPath ? createWriteStream(outPath) : process.stdout;
  const lines: string[] = run.env.objectText
    ? run.env.objectText(terminal, n)
    : Array.from({ length: n }, (_, i) => `[${terminal.subarray(i * d, (i + 1) * d).join(',')}]`);
  await new Promise<void>((resolve, reject) => {
    stream.write(`${lines.join('\n')}\n`, (err) => (err ? reject(err) : resolve()));
  });
  if (outPath)
    await new Promise<void>((resolve) =>
      (stream as ReturnType<typeof createWriteStream>).end(resolve),
    );
  run.dispose();
}
