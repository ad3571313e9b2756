import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, StepRecord } from './reporter.js';

export interface JsonlOptions {
  /**
   * Continue a log: keep its first `resumeAt` bytes (what a checkpoint recorded), drop what was
   * written after that checkpoint, and append. Without it the file starts empty.
   */
  resumeAt?: number;
}

/** Appends every iteration (and every evaluation, with its metrics) to a JSON-lines file. */
export class JsonlReporter implements Reporter {
  private fd: number | undefined;
  private written = 0;

  constructor(
    private readonly path: string,
    private readonly options: JsonlOptions = {},
  ) {}

  /** Bytes in the file so far (saved with checkpoints). */
  get bytes(): number {
    return this.written;
  }

  onStart(): void {
    if (this.fd !== undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const resumeAt = this.options.resumeAt;
    if (resumeAt !== undefined && existsSync(this.path)) {
      this.fd = openSync(this.path, 'r+');
      ftruncateSync(this.fd, resumeAt);
      this.written = resumeAt;
    } else {
      this.fd = openSync(this.path, 'w');
    }
  }

  onStep(record: StepRecord): void {
    this.write({ kind: 'step', ...record });
  }

  onEval(record: StepRecord): void {
    this.write({ kind: 'eval', ...record });
  }

  onEnd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(obj: object): void {
    if (this.fd === undefined) return;
    const line = Buffer.from(`${JSON.stringify(obj)}\n`);
    writeSync(this.fd, line, 0, line.length, this.written);
    this.written += line.length;
  }
}
