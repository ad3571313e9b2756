import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGfn, spawnGfn } from './test-support/gfn-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-optimize-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small loop: 2D grid of 8, tiny networks, few steps. */
const TINY = [
  ...['optimize', '--env', 'hypergrid', '--ndim', '2', '--height', '8'],
  ...['--queries', '6', '--pool', '48', '--initial', '12', '--iterations', '20'],
  ...['--hidden', '32,32', '--members', '3', '--proxy-hidden', '16', '--proxy-steps', '80'],
];

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('gfn optimize', () => {
  it('runs a policy and the baselines for K rounds, and writes the rounds, the data and the plots', () => {
    const out = join(dir, 'all');
    const r = runGfn(dir, [
      ...TINY,
      ...['--generators', 'tb,random,mcmc', '--rounds', '2', '--acquisition', 'ei'],
      ...['--out', out],
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'optimize.json'), 'utf8')) as {
      generators: string[];
      summary: Record<string, { loops: number; rounds: number; best: number }>;
    };
    expect(result.generators).toEqual(['tb', 'random', 'mcmc']);
    for (const g of result.generators) {
      expect(result.summary[g]).toMatchObject({ loops: 1, rounds: 2 });
      const rounds = lines(join(out, `${g}-seed0`, 'rounds.jsonl'));
      expect(rounds.map((x) => x['round'])).toEqual([0, 1, 2]);
      expect(rounds[1]!['calibration']).toHaveProperty('spearman');
      const data = lines(join(out, `${g}-seed0`, 'data.jsonl'));
      expect(data.length).toBe(rounds.at(-1)!['data']);
      // Every loop starts from the same random initial data.
      expect(data.filter((p) => p['round'] === 0)).toHaveLength(12);
    }
    for (const file of ['top-k.svg', 'best.svg', 'modes.svg', 'batch.svg', 'calibration.svg'])
      expect(readFileSync(join(out, file), 'utf8')).toMatch(/^<svg/);
    const report = runGfn(dir, ['report', out]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('top-k mean score');
  });

  it('fits a Tanimoto GP proxy with --proxy gp', () => {
    const out = join(dir, 'gp');
    const r = runGfn(dir, [
      ...TINY,
      ...['--generators', 'random', '--rounds', '2', '--proxy', 'gp', '--out', out],
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const rounds = lines(join(out, 'random-seed0', 'rounds.jsonl'));
    expect(rounds.map((x) => x['round'])).toEqual([0, 1, 2]);
    const cal = rounds[2]!['calibration'] as { rmse: number; spearman: number };
    expect(Number.isFinite(cal.rmse)).toBe(true);
    expect(Number.isFinite(cal.spearman)).toBe(true);
  });

  it('after SIGKILL, --resume finishes with the same data as a loop that was never stopped', async () => {
    const args = [...TINY, '--generators', 'tb', '--rounds', '4'];
    const whole = runGfn(dir, [...args, '--out', 'whole']);
    expect(whole.code).toBe(0);

    const child = spawnGfn(dir, [...args, '--out', 'killed']);
    await child.waitFor(/round 2\/4/, 120_000);
    child.child.kill('SIGKILL');
    await child.exited;
    const saved = lines(join(dir, 'killed', 'tb-seed0', 'rounds.jsonl'));
    expect(saved.length).toBeGreaterThanOrEqual(3);
    expect(saved.length).toBeLessThan(5);

    // The killed process's lock is taken over.
    const again = runGfn(dir, ['optimize', '--resume', 'killed']);
    expect(again.stderr).toMatch(/resuming after round [2-3]/);
    expect(again.code).toBe(0);
    const data = (d: string) => readFileSync(join(dir, d, 'tb-seed0', 'data.jsonl'), 'utf8');
    expect(data('killed')).toBe(data('whole'));
    expect(lines(join(dir, 'killed', 'tb-seed0', 'rounds.jsonl'))).toHaveLength(5);
  }, 300_000);

  it('refuses a directory that another process is writing', async () => {
    const child = spawnGfn(dir, [
      ...TINY,
      '--generators',
      'tb',
      '--rounds',
      '1000',
      '--out',
      'busy',
    ]);
    await child.waitFor(/round 0\/1000/, 120_000);
    const meanwhile = runGfn(dir, ['optimize', '--resume', 'busy']);
    child.child.kill('SIGKILL');
    await child.exited;
    expect(meanwhile.code).toBe(2);
    expect(meanwhile.stderr).toContain('is in use by process');
  }, 300_000);

  it('refuses an out directory that holds a loop, and flags besides --resume', () => {
    expect(existsSync(join(dir, 'whole', 'optimize.json'))).toBe(true);
    const again = runGfn(dir, [...TINY, '--out', 'whole']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--resume');
    const changed = runGfn(dir, ['optimize', '--resume', 'whole', '--rounds', '9']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('give only --resume');
  });
});
