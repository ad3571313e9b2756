import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Oracle } from './oracle.js';

/**
 * An external program as an oracle: one long-lived process (`sh -c COMMAND`) that reads one
 * object per line on stdin (a SMILES, or a state as JSON) and writes one score per line on
 * stdout, in order. A line that is not a finite number (`null`, `nan`, an error message) leaves
 * its object unscored. Calls take turns on the one process; a process that exits is started again
 * at the next call (the client retries the call it was on).
 */
export class CommandOracle implements Oracle {
  readonly name: string;
  private child: ChildProcessWithoutNullStreams | null = null;
  private lines: string[] = [];
  private waiting: (() => void) | null = null;
  private exited: Error | null = null;
  private stderrTail = '';
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly command: string) {
    this.name = `command:${command}`;
  }

  score(objects: readonly string[], signal?: AbortSignal): Promise<(number | null)[]> {
    const run = this.turn.then(() => this.exchange(objects, signal));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private start(): ChildProcessWithoutNullStreams {
    // A process group of its own, so that stopping it stops the program and not only the
    // shell (dash runs a command as its child).
    const child = spawn('sh', ['-c', this.command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.lines = [];
    this.exited = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      // A process given up may still write; only the current one's lines are answers.
      if (child !== this.child) return;
      this.lines.push(line);
      this.waiting?.();
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-500);
    });
    const fail = (why: string) => {
      if (child !== this.child) return;
      this.exited = new Error(
        `${why}${this.stderrTail ? `; stderr: ${this.stderrTail.trim()}` : ''}`,
      );
      this.child = null;
      this.waiting?.();
    };
    child.on('exit', (code, signal) =>
      fail(`the oracle command exited (${signal ?? `code ${code}`})`),
    );
    child.on('error', (err) => fail(`the oracle command failed to start: ${err.message}`));
    child.stdin.on('error', () => undefined);
    return child;
  }

  private async exchange(
    objects: readonly string[],
    signal?: AbortSignal,
  ): Promise<(number | null)[]> {
    for (const o of objects) {
      if (o.includes('\n')) throw new Error('an object for a command oracle has a line break');
    }
    if (signal?.aborted) throw new Error('the call was given up before it started');
    const child = (this.child ??= this.start());
    this.lines = [];
    // A call given up (timed out) stops the process: its late answers would be taken for the
    // next call's. The next call starts it again.
    const stop = () => killGroup(child);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      child.stdin.write(objects.map((o) => `${o}\n`).join(''));
      while (this.lines.length < objects.length) {
        if (this.exited) throw this.exited;
        await new Promise<void>((resolve) => (this.waiting = resolve));
        this.waiting = null;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    const answers = this.lines.splice(0, objects.length);
    return answers.map((line) => {
      const v = Number(line.trim());
      return line.trim() !== '' && Number.isFinite(v) ? v : null;
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.stdin.end();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        killGroup(child);
        resolve();
      }, 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Stops a command's whole process group (the shell and the program it started). */
function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
