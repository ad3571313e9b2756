import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAIN_MATRIX } from '@gflownet/env-zoo';
import { runGfn } from './test-support/gfn-process.js';

/**
 * The env zoo's training matrix, end to end: `gfn train --env NAME` with each env's stated
 * budget must reach its stated exact L1 (see packages/env-zoo/src/train-matrix.ts).
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-zoo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(TRAIN_MATRIX)('gfn train --env $env', ({ env, iterations, maxL1 }) => {
  it(`reaches an exact L1 below ${maxL1} in ${iterations} TB iterations`, () => {
    const out = join(dir, env);
    const r = runGfn(dir, [
      ...['train', '--env', env, '--loss', 'tb', '--hidden', '128,128', '--batch-size', '64'],
      ...['--iterations', String(iterations), '--eval-every', String(iterations)],
      ...['--eval-samples', '0', '--check-limit', '0', '--quiet', '--out', out],
    ]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      l1_exact: number;
    };
    expect(summary.l1_exact).toBeLessThan(maxL1);
  });
});
