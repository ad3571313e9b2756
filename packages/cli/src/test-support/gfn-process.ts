import { spawnSync } from 'node:child_process';
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
export function runGfn(cwd: string, args: readonly string[], timeout = 300_000): GfnResult {
  const r = spawnSync(process.execPath, [GFN, ...args], { cwd, encoding: 'utf8', timeout });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
