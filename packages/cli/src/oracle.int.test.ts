import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricRecords, runGfn, spawnGfn } from './test-support/gfn-process.js';

// gfn train --oracle: fresh objects scored by an external program, through the built CLI. An
// object the oracle fails on, answers NaN for or never answers is left out of the batch, and
// the scores it gave survive a SIGKILL of the learner.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-oracle-'));
  // Scores a 2-D grid point [a, b] with 1 + a + b; fails on [0, 0], answers NaN for [1, 1],
  // never answers [2, 2] (with 'hang'); logs every object it is sent; waits DELAY ms per object.
  writeFileSync(
    join(dir, 'oracle.mjs'),
    `import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const [log, delay, hang] = [process.argv[2], Number(process.argv[3] ?? 0), process.argv[4] === 'hang'];
const lines = [];
let busy = false;
createInterface({ input: process.stdin }).on('line', (line) => { lines.push(line); next(); });
function next() {
  if (busy || lines.length === 0) return;
  busy = true;
  const line = lines.shift();
  appendFileSync(log, line + '\\n');
  const [a, b] = JSON.parse(line);
  setTimeout(() => {
    busy = false;
    if (hang && a === 2 && b === 2) return; // never answered
    process.stdout.write(a === 0 && b === 0 ? 'error: no such pose\\n' : a === 1 && b === 1 ? 'NaN\\n' : 1 + a + b + '\\n');
    next();
  }, delay);
}
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grid = ['--env', 'hypergrid', '--ndim', '2', '--height', '6', '--batch-size', '16'];
const oracle = (log: string, delay = 0, hang = '') =>
  `command:node ${join(dir, 'oracle.mjs')} ${log} ${delay} ${hang}`;

const steps = (run: string) => metricRecords(join(dir, run), 'step');

const cacheKeys = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [(JSON.parse(l) as { k: string }).k];
      } catch {
        return [];
      }
    });

describe('gfn train --oracle', () => {
  it('leaves out objects the oracle fails on, answers NaN for or times out on', () => {
    const r = runGfn(dir, [
      'train',
      ...grid,
      '--iterations',
      '8',
      '--oracle',
      oracle(join(dir, 'calls.log'), 0, 'hang'),
      '--oracle-batch',
      '1',
      '--oracle-timeout',
      '0.5',
      '--oracle-retries',
      '1',
      '--out',
      'scored',
      '--quiet',
    ]);
    expect(r.stderr).not.toMatch(/error:|\n\s+at /i);
    expect(r.code).toBe(0);
    const s = steps('scored');
    expect(s).toHaveLength(8);
    const last = s.at(-1)!;
    // Every left-out trajectory is one the oracle gave no score; the rest were trained on.
    expect(last['oracle_dropped_total']).toBeGreaterThan(0);
    expect(last['oracle_failures']).toBeGreaterThan(0);
    expect(last['oracle_retries']).toBeGreaterThan(0);
    expect(last['trajectories']! + last['oracle_dropped_total']!).toBe(8 * 16);
    // Only real scores are kept: none for the three objects without one.
    const keys = cacheKeys(join(dir, 'scored', 'oracle-scores.jsonl'));
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((k) => ['0,0', '1,1', '2,2'].includes(k))).toEqual([]);
    // Each score is its own object's (a call given up stops the program, so that a late answer
    // is never taken for the next object's).
    for (const line of readFileSync(join(dir, 'scored', 'oracle-scores.jsonl'), 'utf8')
      .trim()
      .split('\n')) {
      const { k, v } = JSON.parse(line) as { k: string; v: number };
      const [a, b] = k.split(',').map(Number);
      expect(v).toBe(1 + a! + b!);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'scored', 'summary.json'), 'utf8'));
    expect(summary.oracle.dropped).toBe(last['oracle_dropped_total']);
    expect(r.stdout).toMatch(
      /oracle command:node .*: \d+ calls, \d+ cache hits, \d+ objects without a score/,
    );
  }, 120_000);

  it('keeps the scores it got when the learner is killed, and does not ask for them again', async () => {
    const cache = join(dir, 'kept.jsonl');
    const learner = spawnGfn(dir, [
      'train',
      ...grid,
      '--iterations',
      '100000',
      '--oracle',
      oracle(join(dir, 'before.log'), 40),
      '--oracle-cache',
      cache,
      '--oracle-batch',
      '4',
      '--out',
      'killed',
      '--quiet',
    ]);
    const t0 = Date.now();
    while (!(existsSync(cache) && cacheKeys(cache).length >= 8) && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    learner.child.kill('SIGKILL');
    expect(await learner.exited).toBe('SIGKILL');
    const kept = cacheKeys(cache);
    expect(kept.length).toBeGreaterThanOrEqual(8);
    // A new run with the same cache sends only objects it has no score for.
    const again = runGfn(dir, [
      'train',
      ...grid,
      '--iterations',
      '3',
      '--oracle',
      oracle(join(dir, 'after.log')),
      '--oracle-cache',
      cache,
      '--out',
      'again',
      '--quiet',
    ]);
    expect(again.code).toBe(0);
    const sent = existsSync(join(dir, 'after.log'))
      ? readFileSync(join(dir, 'after.log'), 'utf8').trim().split('\n')
      : [];
    const keyOf = (line: string) => (JSON.parse(line) as number[]).join(',');
    const resent = sent.map(keyOf).filter((k) => kept.includes(k));
    expect(resent).toEqual([]);
    expect(steps('again').at(-1)!['oracle_cache_hits']).toBeGreaterThan(0);
  }, 120_000);
});
