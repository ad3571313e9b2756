import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, StepRecord } from './reporter.js';

/** Appends every iteration (and every evaluation, with its metrics) to a JSON-lines file. */
export class JsonlReporter implements Reporter {
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  onStart(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'w');
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
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(obj)}\n`);
  }
}
