import { createWriteStream } from 'node:fs';
import { sampleTerminalStates } from '../metrics/evaluate.js';
import { UserError } from '../errors.js';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';
import { loadRun } from './load-run.js';
import { startBackend } from './setup.js';

export const SAMPLE_FLAGS: FlagSpec[] = [
  {
    name: 'run',
    type: 'string',
    placeholder: 'DIR',
    description: 'run directory written by gfn train (required)',
  },
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

export function sampleHelp(): string {
  return formatHelp(
    'gfn sample --run DIR [-n N] [--out FILE]',
    'Sample terminating states from a trained run: one JSON array of ints per line.',
    SAMPLE_FLAGS,
  );
}

export async function sampleCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, SAMPLE_FLAGS, false);
  if (values['help']) {
    process.stdout.write(sampleHelp());
    return;
  }
  const dir = values['run'] as string | undefined;
  if (!dir) throw new UserError('gfn sample: --run DIR is required');
  await startBackend((values['backend'] as string | undefined) ?? 'auto');
  const run = await loadRun(dir);
  const n = (values['num'] as number | undefined) ?? 1000;
  const terminal = await sampleTerminalStates(
    run.model,
    n,
    (values['seed'] as number | undefined) ?? 0,
  );
  const d = run.env.stateDim;
  const outPath = values['out'] as string | undefined;
  const stream = outPath ? createWriteStream(outPath) : process.stdout;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`[${terminal.subarray(i * d, (i + 1) * d).join(',')}]`);
  await new Promise<void>((resolve, reject) => {
    stream.write(`${lines.join('\n')}\n`, (err) => (err ? reject(err) : resolve()));
  });
  if (outPath)
    await new Promise<void>((resolve) =>
      (stream as ReturnType<typeof createWriteStream>).end(resolve),
    );
  run.model.dispose();
}
