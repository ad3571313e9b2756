import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runGfn } from './test-support/gfn-process.js';

// Actor threads (gfn train --workers N), through the built CLI: they sample, score and prepare
// batches ahead of the learner; each batch records how many updates old its weights were.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-actors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Rec = Record<string, number>;
const gfn = (...args: string[]) => runGfn(dir, ['train', ...args]);

function records(run: string, kind: string): Rec[] {
  return readFileSync(join(dir, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Rec & { kind: string })
    .filter((r) => r.kind === kind);
}

const grid = ['--env', 'hypergrid', '--ndim', '2', '--height', '6', '--batch-size', '16'];

describe('gfn train --workers', () => {
  it('learns with two actors a batch ahead each, and records the policy lag', () => {
    const r = gfn(
      ...grid,
      '--iterations',
      '240',
      '--eval-every',
      '40',
      '--workers',
      '2',
      '--out',
      'two',
      '--quiet',
    );
    expect(r.stderr).not.toMatch(/error|warn|\n\s+at /i);
    expect(r.code).toBe(0);
    const steps = records('two', 'step');
    expect(steps).toHaveLength(240);
    // Batches 1 and 2 were asked for before any update; every later one two updates earlier.
    expect(steps.map((s) => s['policy_lag'])).toEqual([0, 1, ...Array(238).fill(2)]);
    expect(steps.at(-1)!['trajectories']).toBe(240 * 16);
    const evals = records('two', 'eval');
    expect(evals.at(-1)!['l1_exact']).toBeLessThan(evals[0]!['l1_exact']! / 2);
  }, 120_000);

  it('sends weights every --sync-every updates', () => {
    const r = gfn(
      ...grid,
      '--iterations',
      '30',
      '--workers',
      '1',
      '--sync-every',
      '3',
      '--out',
      'sync',
      '--quiet',
    );
    expect(r.code).toBe(0);
    const lags = records('sync', 'step').map((s) => s['policy_lag']!);
    expect(Math.max(...lags)).toBe(3);
    expect(lags.slice(2).every((lag) => lag >= 1 && lag <= 3)).toBe(true);
  }, 60_000);

  it('loads a .gfn spec in the actor threads', () => {
    const spec = join(ROOT, 'examples/bits.gfn');
    const r = gfn(
      '--env',
      spec,
      '--iterations',
      '20',
      '--workers',
      '1',
      '--out',
      'bits',
      '--quiet',
    );
    expect(r.stderr).not.toMatch(/error|warn|\n\s+at /i);
    expect(r.code).toBe(0);
    expect(records('bits', 'step').at(-1)!['policy_lag']).toBe(1);
  }, 60_000);
});
