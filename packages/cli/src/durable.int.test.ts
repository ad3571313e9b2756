import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, readRunConfig, readRunModel } from '@gflownet/core';
import { GFN, runGfn } from './test-support/gfn-process.js';

// Durable runs: checkpoints, exact resume, interruptions, kills and non-finite values, through
// the built CLI.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-durable-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gfn = (...args: string[]) => runGfn(dir, args);

type Rec = Record<string, unknown>;
function metrics(run: string): { steps: Rec[]; evals: Map<number, Rec> } {
  const records = readFileSync(join(dir, run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec)
    .map(({ seconds: _seconds, ...r }) => r);
  return {
    steps: records.filter((r) => r['kind'] === 'step'),
    evals: new Map(
      records.filter((r) => r['kind'] === 'eval').map((r) => [r['iteration'] as number, r]),
    ),
  };
}

function expectSameRun(a: string, b: string, iterations: number): void {
  const ma = metrics(a);
  const mb = metrics(b);
  expect(mb.steps).toHaveLength(iterations);
  expect(mb.steps).toEqual(ma.steps);
  for (const [iteration, record] of ma.evals) {
    if (mb.evals.has(iteration)) expect(mb.evals.get(iteration)).toEqual(record);
  }
  const summary = (run: string) => {
    const s = JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8')) as Rec;
    delete s['seconds'];
    delete s['iterations_per_second'];
    return s;
  };
  expect(summary(b)).toEqual(summary(a));
}

const GRID = [
  '--env',
  'hypergrid',
  '--ndim',
  '2',
  '--height',
  '6',
  '--batch-size',
  '16',
  '--eval-every',
  '10',
  '--eval-samples',
  '500',
  '--hidden',
  '64,64',
  '--quiet',
];

describe('exact resume', () => {
  it('N iterations, then resumed to 2N, equal 2N straight: TB with a replay buffer', () => {
    const replay = ['--replay', 'prioritized:capacity=40', '--replay-share', '0.25'];
    const straight = gfn('train', ...GRID, ...replay, '--iterations', '60', '--out', 'straight');
    expect(straight.code).toBe(0);
    const half = gfn('train', ...GRID, ...replay, '--iterations', '30', '--out', 'halves');
    expect(half.code).toBe(0);
    const rest = gfn('train', '--resume', 'halves', '--iterations', '60', '--quiet');
    expect(rest.stderr).toContain('resuming halves at iteration 30 of 60');
    expect(rest.code).toBe(0);
    expectSameRun('straight', 'halves', 60);
    expect(readRunConfig(join(dir, 'halves')).iterations).toBe(60);
  });

  it('molecules: the sample tracker continues where it stopped', () => {
    // By package name: the test's folder is no project that lists the molecule package.
    const mol = [
      '--env',
      '@gflownet/env-molecule',
      '--batch-size',
      '4',
      '--hidden',
      '32',
      '--eval-every',
      '2',
      '--quiet',
    ];
    expect(gfn('train', ...mol, '--iterations', '6', '--out', 'mol-straight').code).toBe(0);
    expect(gfn('train', ...mol, '--iterations', '3', '--out', 'mol-halves').code).toBe(0);
    const rest = gfn('train', '--resume', 'mol-halves', '--iterations', '6', '--quiet');
    expect(rest.code).toBe(0);
    expectSameRun('mol-straight', 'mol-halves', 6);
    expect(metrics('mol-halves').evals.get(6)?.['molecules']).toBe(24);
  }, 300_000);

  it('refuses to change the config of a run being resumed, or to resume a finished one', () => {
    const changed = gfn('train', '--resume', 'straight', '--lr', '0.1', '--iterations', '80');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('--lr cannot change');
    const done = gfn('train', '--resume', 'straight');
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('is at iteration 60 already');
  });
});

/** Starts training in the background; resolves when it has written its first checkpoint. */
async function startTraining(out: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      GFN,
      'train',
      ...GRID,
      '--iterations',
      '100000',
      '--checkpoint-every',
      '5',
      '--out',
      out,
      ...extra,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(dir, out, 'checkpoint.json'))) {
    if (Date.now() > deadline) throw new Error('no checkpoint within a minute');
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, stderr })));
}

describe('interruptions', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s saves the run, says how to resume, and exits %i', async (signal, exit) => {
    const out = `sig-${signal}`;
    const child = await startTraining(out);
    const done = finished(child);
    await new Promise((r) => setTimeout(r, 500));
    child.kill(signal);
    const { code, stderr } = await done;
    expect(code).toBe(exit);
    expect(stderr).toContain(`the run is saved in ${join(dir, out)}`);
    expect(stderr).toContain(`resume it with: gfn train --resume ${join(dir, out)}`);
    const cp = readCheckpoint(join(dir, out));
    expect(cp.iteration).toBeGreaterThan(0);
    expect(metrics(out).steps).toHaveLength(cp.iteration);
    const more = gfn('train', '--resume', out, '--iterations', String(cp.iteration + 3), '--quiet');
    expect(more.code).toBe(0);
    expect(metrics(out).steps).toHaveLength(cp.iteration + 3);
  });

  it('a run that is training cannot be resumed or replaced by a second process', async () => {
    const child = await startTraining('busy');
    const done = finished(child);
    const resumed = gfn('train', '--resume', 'busy', '--iterations', '200000', '--quiet');
    const forced = gfn('train', ...GRID, '--iterations', '2', '--force', '--out', 'busy');
    child.kill('SIGINT');
    expect((await done).code).toBe(130);
    for (const second of [resumed, forced]) {
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('is in use by process');
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('.busy.'))).toEqual([]);
    // Once the first process is gone, its run resumes (and its lock is gone with it).
    expect(existsSync(join(dir, 'busy', '.lock'))).toBe(false);
    const cp = readCheckpoint(join(dir, 'busy'));
    expect(gfn('train', '--resume', 'busy', '--iterations', String(cp.iteration + 2)).code).toBe(0);
  });

  it('a second Ctrl-C exits at once', async () => {
    const child = await startTraining('twice');
    const done = finished(child);
    child.kill('SIGINT');
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(130);
    expect(() => readCheckpoint(join(dir, 'twice'))).not.toThrow();
  });

  it('SIGKILL at 24 random moments, checkpoint writes included, always leaves a run that loads and resumes', async () => {
    // A checkpoint every few iterations (every one after the first kill), so that many kills
    // land during a write.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const out = 'killed';
    for (let k = 0; k < 24; k++) {
      const child =
        k === 0
          ? await startTraining(out)
          : spawn(
              process.execPath,
              [
                GFN,
                'train',
                '--resume',
                out,
                '--iterations',
                '100000',
                '--checkpoint-every',
                '1',
                '--quiet',
              ],
              { cwd: dir, stdio: 'ignore' },
            );
      const done = new Promise((r) => child.on('close', r));
      await new Promise((r) => setTimeout(r, 900 + random() * 1500));
      child.kill('SIGKILL');
      await done;
      const cp = readCheckpoint(join(dir, out));
      expect(readRunModel(join(dir, out)).format).toBe('gflownet-ts/model@1');
      expect(metrics(out).steps.length).toBeGreaterThanOrEqual(cp.iteration);
    }
    const cp = readCheckpoint(join(dir, out));
    const resumed = gfn(
      'train',
      '--resume',
      out,
      '--iterations',
      String(cp.iteration + 2),
      '--quiet',
    );
    expect(resumed.code).toBe(0);
    expect(metrics(out).steps).toHaveLength(cp.iteration + 2);
    expect(readFileSync(join(dir, out, 'summary.json'), 'utf8')).toContain('l1_exact');
    // Temporary files of writes that a kill interrupted are gone.
    expect(readdirSync(join(dir, out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 240_000);
});

describe('non-finite values', () => {
  // An env whose reward is NaN at one state, and an objective whose gradient is NaN with a
  // finite loss (d sqrt(x)/dx at 0, times 0).
  const plugin = () => {
    const file = join(dir, 'nan-plugin.mjs');
    writeFileSync(
      file,
      `import { ContainerModule, EnvFactory, LossPlugin } from '@gflownet/core';
import { TrajectoryBalance } from '@gflownet/core/losses';
import { HypergridEnv, testHypergridFactory } from '@gflownet/core/testing';
import * as tf from '@gflownet/core/tf';
class NanReward extends HypergridEnv {
  // Not enumerated: the NaN is met while training, not when the state graph is built.
  enumerable = false;
  logReward(states, n) {
    const out = super.logReward(states, n);
    for (let i = 0; i < n; i++) if (states[i * 2] === 2 && states[i * 2 + 1] === 3) out[i] = NaN;
    return out;
  }
}
class NanGradient extends TrajectoryBalance {
  name = 'nan-grad';
  compute(x, model) {
    const kink = tf.mul(0, tf.sqrt(tf.sub(model.logZ, model.logZ)));
    return tf.add(super.compute(x, model), kink);
  }
}
export default new ContainerModule(({ bind }) => {
  bind(EnvFactory).toConstantValue({
    ...testHypergridFactory,
    name: 'nan-reward',
    create: (p) => new NanReward({ ndim: p.ndim, height: p.height }),
  });
  bind(LossPlugin).toConstantValue({
    name: 'nan-grad',
    description: 'TB with a NaN gradient of log Z',
    create: (o) => new NanGradient(o),
  });
});
`,
    );
    return file;
  };
  const small = ['--height', '5', '--batch-size', '8', '--hidden', '16', '--quiet'];
  /** Five iterations of the objective whose log Z gradient is NaN. */
  const nanGrad = (...extra: string[]) =>
    gfn(
      'train',
      '--plugin',
      plugin(),
      '--loss',
      'nan-grad',
      ...small,
      '--iterations',
      '5',
      ...extra,
    );

  it('a NaN reward stops the run (naming the iteration and state), or is skipped', () => {
    const file = plugin();
    const train = (...extra: string[]) =>
      gfn(
        'train',
        '--env',
        'nan-reward',
        '--plugin',
        file,
        ...small,
        '--iterations',
        '40',
        ...extra,
      );
    const stop = train('--out', 'nan-stop');
    expect(stop.code).toBe(2);
    expect(stop.stderr).toMatch(
      /iteration \d+: env 'hypergrid': the reward of state \[2, 3\] is NaN/,
    );
    expect(stop.stderr).not.toMatch(/\n\s+at /);
    const skip = train('--on-nan', 'skip', '--out', 'nan-skip');
    expect(skip.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'nan-skip/summary.json'), 'utf8')) as Rec;
    expect(summary['skipped_iterations']).toBeGreaterThan(0);
    expect(summary['skipped_iterations']).toBeLessThan(40);
    expect(summary['modes_found']).toEqual(expect.any(Number));
    // Met in an actor thread, it stops the run the same way.
    const actor = train('--workers', '1', '--out', 'nan-actor');
    expect(actor.code).toBe(2);
    expect(actor.stderr).toMatch(
      /iteration \d+: actor thread: env 'hypergrid': the reward of state \[2, 3\] is NaN/,
    );
  });

  it('a NaN gradient stops the run (naming the parameter) with the last checkpoint kept, or is skipped', () => {
    const stop = nanGrad('--out', 'grad-stop');
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain('iteration 1: the gradient of log Z is not finite');
    const skip = nanGrad('--on-nan', 'skip', '--out', 'grad-skip');
    expect(skip.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'grad-skip/summary.json'), 'utf8')) as Rec;
    expect(summary['skipped_iterations']).toBe(5);
  });

  it('--force replaces a run only once the new one has saved a checkpoint', () => {
    expect(gfn('train', ...GRID, '--iterations', '2', '--out', 'forced').code).toBe(0);
    const before = readFileSync(join(dir, 'forced/model.json'), 'utf8');
    // This retrain fails at its first iteration, before any checkpoint: the old run stays.
    const failing = nanGrad('--force', '--out', 'forced');
    expect(failing.code).toBe(2);
    expect(readFileSync(join(dir, 'forced/model.json'), 'utf8')).toBe(before);
    const ok = gfn('train', ...GRID, '--iterations', '3', '--force', '--out', 'forced');
    expect(ok.code).toBe(0);
    expect(readRunConfig(join(dir, 'forced')).iterations).toBe(3);
    expect(metrics('forced').steps).toHaveLength(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('.forced.'))).toEqual([]);
  });

  it('refuses to open a run whose weights are not finite', () => {
    expect(gfn('train', ...GRID, '--iterations', '2', '--out', 'poisoned').code).toBe(0);
    const path = join(dir, 'poisoned/model.json');
    const model = JSON.parse(readFileSync(path, 'utf8')) as { logZ: number | null };
    model.logZ = null;
    writeFileSync(path, JSON.stringify(model));
    const bad = gfn('sample', '--run', 'poisoned', '-n', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('holds no gflownet-ts model');
    const weights = JSON.parse(readFileSync(join(dir, 'straight/model.json'), 'utf8')) as {
      estimator: { weights: { data: string }[] };
    };
    // All bits set: every float32 of the first weight matrix is a NaN.
    const first = weights.estimator.weights[0]!;
    first.data = Buffer.from(first.data, 'base64').fill(0xff).toString('base64');
    writeFileSync(path, JSON.stringify({ ...weights, logZ: 0 }));
    const diverged = gfn('eval', '--run', 'poisoned', '--samples', '10');
    expect(diverged.code).toBe(2);
    expect(diverged.stderr).toContain('holds weights that are not finite');
  });
});

describe('gfn sample', () => {
  it('streams: the first lines come while it still samples, and memory stays flat', async () => {
    const child = spawn(process.execPath, [GFN, 'sample', '--run', 'straight', '-n', '3000000'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise((r) => child.on('close', r));
    let lines = 0;
    let running = false;
    const rss: number[] = [];
    const vmRss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
    await new Promise<void>((done) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (lines === 0) running = child.exitCode === null;
        for (const byte of chunk) if (byte === 10) lines += 1;
        if (rss.length === 0 && lines >= 100_000) rss.push(vmRss());
        if (rss.length === 1 && lines >= 600_000) {
          rss.push(vmRss());
          child.kill('SIGKILL');
          done();
        }
      });
    });
    await exited;
    expect(running).toBe(true);
    // Six times the samples, about the same memory (a slack of 30% and 30 MB).
    expect(rss[1]!).toBeLessThan(rss[0]! * 1.3 + 30_000);
  }, 120_000);
});

describe('default run directories', () => {
  it('never collide, even for runs started in the same second', async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const start = () =>
      new Promise<number | null>((r) =>
        spawn(process.execPath, [GFN, 'train', ...GRID, '--iterations', '3'], {
          cwd: project,
          stdio: 'ignore',
        }).on('close', r),
      );
    expect(await Promise.all([start(), start(), start()])).toEqual([0, 0, 0]);
    const runs = readdirSync(join(project, 'runs'));
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      expect(metrics(join('project/runs', run)).steps).toHaveLength(3);
    }
  }, 120_000);
});
