import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGfn } from './test-support/gfn-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-compare-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gfn compare', () => {
  it('runs objectives and baselines on one budget and writes the table and the plots', () => {
    const out = join(dir, 'cmp');
    const r = runGfn(dir, [
      ...['compare', '--env', 'hypergrid', '--ndim', '2', '--height', '6'],
      ...['--methods', 'tb,db,random,mcmc', '--budget', '6000', '--seeds', '2', '--points', '5'],
      ...['--out', out],
    ]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as {
      methods: string[];
      summary: Record<string, { modes_found: number; l1_empirical: number }>;
      runs: { method: string; seed: number; points: { states_visited: number }[] }[];
    };
    expect(result.methods).toEqual(['tb', 'db', 'random', 'mcmc']);
    expect(result.runs).toHaveLength(8);
    for (const run of result.runs) {
      expect(run.points.at(-1)!.states_visited).toBeGreaterThanOrEqual(6000);
      expect(run.points.length).toBeGreaterThanOrEqual(5);
    }
    for (const m of result.methods) {
      expect(result.summary[m]!.modes_found).toBeGreaterThan(0);
      expect(result.summary[m]!.l1_empirical).toBeGreaterThan(0);
    }
    for (const file of ['modes.svg', 'l1.svg', 'topk.svg'])
      expect(readFileSync(join(out, file), 'utf8')).toMatch(/^<svg/);
  });

  it('soft Q-learning on a tree (bitseq) learns R/Z, as a GFlowNet does', () => {
    const out = join(dir, 'sql');
    const r = runGfn(dir, [
      ...['train', '--env', 'bitseq', '--loss', 'sql', '--hidden', '128,128'],
      ...['--batch-size', '64', '--iterations', '300', '--eval-samples', '0', '--quiet'],
      ...['--out', out],
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      l1_exact: number;
      logz_error: number;
    };
    expect(summary.l1_exact).toBeLessThan(0.2);
    expect(summary.logz_error).toBeLessThan(0.1);
  });

  it('names the methods it knows for an unknown one', () => {
    const r = runGfn(dir, ['compare', '--methods', 'tb,ppoo', '--budget', '10', '--out', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown method 'ppoo'");
    expect(r.stderr).toContain('baselines: random, mcmc');
    expect(existsSync(join(dir, 'x', 'compare.json'))).toBe(false);
  });
});
