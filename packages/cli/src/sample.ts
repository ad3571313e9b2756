import { createWriteStream, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type DiscreteEnv, RUN_FILES, UserError } from '@gflownet/core';
import { terminalStateChunks } from '@gflownet/core/metrics';
import { type FlagSpec, RUN_DIR_FLAGS, formatHelp, parseFlags } from './flags.js';
import { CHECK_LIMIT_FLAG } from './model-check.js';
import { openRun } from './load-run.js';

export const SAMPLE_FLAGS: FlagSpec[] = [
  ...RUN_DIR_FLAGS,
  CHECK_LIMIT_FLAG,
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
  {
    name: 'format',
    type: 'string',
    default: 'auto',
    choices: ['auto', 'text', 'fields', 'raw'],
    description:
      "text: the env's text form (SMILES); fields: a JSON object of named fields (spec envs); " +
      'raw: the JSON array of the state ints; auto: the first of these the env has',
  },
];

export function sampleHelp(): string {
  return formatHelp(
    'gfn sample --run DIR [-n N] [--out FILE] [--format auto|text|fields|raw]',
    "Sample terminating states from a trained run, one per line: the env's text form of each object\n" +
      'where it has one (SMILES for molecules), else a JSON object of named fields where the env has\n' +
      'them (a spec\'s fields: {"s": [1, 0, 1]}, sequences without padding, bools as true/false), else\n' +
      'the JSON array of the state ints (--format raw always).',
    SAMPLE_FLAGS,
  );
}

export async function sampleCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, SAMPLE_FLAGS, false);
  if (values['help']) {
    process.stdout.write(sampleHelp());
    return;
  }
  const outPath = values['out'] as string | undefined;
  if (outPath !== undefined) checkOutFile(outPath, values['run'] as string | undefined);
  const { run } = await openRun(values, 'sample');
  try {
    const n = (values['num'] as number | undefined) ?? 1000;
    const d = run.env.stateDim;
    const text = sampleFormatter(run.env, (values['format'] as string | undefined) ?? 'auto');
    const out = outPath ? createWriteStream(outPath) : process.stdout;
    const sink = new LineSink(out);
    const seed = (values['seed'] as number | undefined) ?? 0;
    // Chunks are written as they are sampled: the first lines come at once, memory stays flat.
    for await (const states of terminalStateChunks(run.model, n, seed, 1024)) {
      if (!(await sink.write(`${text(states, states.length / d).join('\n')}\n`))) break;
    }
    if (outPath) await sink.close();
  } finally {
    run.dispose();
  }
}

/** How `--format` writes m states, one line each. */
function sampleFormatter(
  env: DiscreteEnv,
  format: string,
): (states: Int32Array, m: number) => string[] {
  const d = env.stateDim;
  const rows = (states: Int32Array, m: number) =>
    Array.from({ length: m }, (_, i) => states.subarray(i * d, (i + 1) * d));
  const chosen =
    format === 'auto' ? (env.objectText ? 'text' : env.stateFields ? 'fields' : 'raw') : format;
  if (chosen === 'text') {
    const objectText = env.objectText?.bind(env);
    if (!objectText) throw new UserError(`--format text: env '${env.name}' has no text form`);
    return objectText;
  }
  if (chosen === 'fields') {
    const fields = env.stateFields?.bind(env);
    if (!fields) throw new UserError(`--format fields: env '${env.name}' has no named fields`);
    return (states, m) => rows(states, m).map((row) => JSON.stringify(fields(row)));
  }
  return (states, m) => rows(states, m).map((row) => `[${row.join(',')}]`);
}

/**
 * Writes to a stream with backpressure. A reader that goes away (`gfn sample | head`) ends the
 * output quietly, as for any Unix filter; other write errors are reported with the file.
 */
class LineSink {
  private closed = false;
  private failure: Error | null = null;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else this.failure = err;
    });
  }

  /** False once the reader has gone. */
  async write(text: string): Promise<boolean> {
    this.check();
    if (this.closed) return false;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
    }
    this.check();
    return !this.closed;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    this.check();
  }

  private check(): void {
    if (this.failure) {
      const code = (this.failure as NodeJS.ErrnoException).code;
      throw new UserError(`--out: cannot write: ${code ?? this.failure.message}`);
    }
  }
}

/** Refuses an --out that is a directory, has no parent directory, or is one of the run's files. */
function checkOutFile(out: string, runDir: string | undefined): void {
  const path = resolve(out);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UserError(`--out: '${out}' is a directory; give a file name`);
  }
  if (!existsSync(dirname(path))) {
    throw new UserError(`--out: the directory of '${out}' does not exist`);
  }
  if (runDir !== undefined && dirname(path) === resolve(runDir)) {
    const own = Object.values(RUN_FILES) as string[];
    if (own.includes(basename(path))) {
      throw new UserError(
        `--out: '${out}' is the run's own ${basename(path)}; write samples elsewhere`,
      );
    }
  }
}
