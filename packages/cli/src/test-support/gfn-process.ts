import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, and the built CLI that the tests run (the test command builds first). */
export const ROOT = resolve(import.meta.dirname, '../../../..');
export const GFN = join(ROOT, 'packages/cli/bin/gfn.js');

export interface GfnResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gfn ARGS` in `cwd` and waits for it. */
export function runGfn(
  cwd: string,
  args: readonly string[],
  timeout = 300_000,
  env: NodeJS.ProcessEnv = process.env,
): GfnResult {
  const r = spawnSync(process.execPath, [GFN, ...args], { cwd, encoding: 'utf8', timeout, env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A `gfn` process running in the background, with what it wrote so far. */
export interface GfnChild {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  /** Resolves once its output matches `pattern` (rejects after `ms`). */
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
}

export function spawnGfn(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): GfnChild {
  const child = spawn(process.execPath, [GFN, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const waitFor = (pattern: RegExp, ms = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (pattern.test(text)) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - t0 > ms || child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`gfn ${args.join(' ')}: no ${pattern} in:\n${text}`));
        }
      }, 50);
    });
  return { child, output: () => text, exited, waitFor };
}

/** The records of one kind ('step', 'eval') in a run directory's metrics.jsonl. */
export function metricRecords(runDir: string, kind: string): Record<string, number>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, number> & { kind: string })
    .filter((r) => r.kind === kind);
}
