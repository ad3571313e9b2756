import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../backend.js';
import { stateKey } from '../env/state-utils.js';
import { HypergridEnv } from '../testing/hypergrid.js';
import { Rng } from '../util/rng.js';
import { acquisitionLogRewards, acquisitionValues, normalCdf } from './acquisition.js';
import { mcmcGenerator, randomGenerator } from './generators.js';
import { GpProxy } from './gp.js';
import { OptimizeLoop, type OptimizeOptions, envRewardOracle, readLoopState } from './loop.js';
import { EnsembleProxy } from './proxy.js';
import { calibration, countModes, selectDiverseBatch } from './select.js';

beforeAll(async () => {
  await initBackend();
});

describe('acquisition functions', () => {
  it('Phi matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('expected improvement equals E[max(0, f - best)] by numerical integration', () => {
    const mean = Float64Array.of(0.3, 1.2, -0.5);
    const std = Float64Array.of(0.5, 0.2, 1.5);
    const best = 0.8;
    const ei = acquisitionValues('ei', { mean, std }, { kappa: 0, best });
    mean.forEach((mu, i) => {
      const sd = std[i]!;
      let integral = 0;
      const h = 1e-3;
      for (let f = mu - 10 * sd; f < mu + 10 * sd; f += h) {
        const density = Math.exp(-0.5 * ((f - mu) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
        integral += Math.max(0, f - best) * density * h;
      }
      expect(ei[i]).toBeCloseTo(integral, 4);
    });
    const ucb = acquisitionValues('ucb', { mean, std }, { kappa: 2, best });
    [1.3, 1.6, 2.5].forEach((v, i) => expect(ucb[i]).toBeCloseTo(v, 9));
  });

  it('the reward scales acquisitions to the range of the scores and floors them', () => {
    const logR = acquisitionLogRewards(
      'ucb',
      Float64Array.of(1, 3, 0.5),
      { min: 1, max: 3 },
      { beta: 2, floor: 0.01 },
    );
    expect(logR[0]).toBeCloseTo(2 * Math.log(0.01));
    expect(logR[1]).toBeCloseTo(0);
    expect(logR[2]).toBeCloseTo(2 * Math.log(0.01));
  });
});

describe('the proxy ensemble', () => {
  it('learns a function of its features, with more spread away from its data', async () => {
    const rng = new Rng(3);
    const n = 200;
    const x = Float32Array.from({ length: n * 2 }, () => rng.uniform(0, 1));
    const y = Array.from({ length: n }, (_, i) => 3 * x[2 * i]! - 2 * x[2 * i + 1]! + 5);
    const proxy = new EnsembleProxy(2, { members: 3, hidden: [32], steps: 300 });
    const mse = await proxy.fit(x, y, 0);
    expect(mse).toBeLessThan(0.05);
    const inside = await proxy.predict(Float32Array.of(0.5, 0.5, 0.2, 0.9), 2);
    expect(inside.mean[0]).toBeCloseTo(5.5, 0);
    expect(inside.mean[1]).toBeCloseTo(3.8, 0);
    const far = await proxy.predict(Float32Array.of(6, -6), 1);
    expect(far.std[0]).toBeGreaterThan(5 * Math.max(inside.std[0]!, inside.std[1]!));
    // A fit is a function of its data and seed.
    const again = new EnsembleProxy(2, { members: 3, hidden: [32], steps: 300 });
    await again.fit(x, y, 0);
    const repeat = await again.predict(Float32Array.of(0.5, 0.5, 0.2, 0.9), 2);
    expect(Array.from(repeat.mean)).toEqual(Array.from(inside.mean));
    proxy.dispose();
    again.dispose();
  });
});

describe('the Tanimoto GP proxy', () => {
  it('matches the closed-form posterior on two points', async () => {
    const gp = new GpProxy(3);
    await gp.fit(Float32Array.of(1, 1, 0, 0, 1, 1), [2, 4], 0);
    // Tanimoto: k(a, b) = 1/3; the query c = [1, 0, 0] has k(c, a) = 1/2, k(c, b) = 0.
    const r = gp.noiseRatio;
    const det = (1 + r) ** 2 - 1 / 9;
    const inv = [(1 + r) / det, -1 / 3 / det, -1 / 3 / det, (1 + r) / det];
    const y = [-1, 1]; // standardized scores
    const alpha = [inv[0]! * y[0]! + inv[1]! * y[1]!, inv[2]! * y[0]! + inv[3]! * y[1]!];
    const signal = (y[0]! * alpha[0]! + y[1]! * alpha[1]!) / 2;
    const p = await gp.predict(Float32Array.of(1, 0, 0), 1);
    expect(p.mean[0]).toBeCloseTo(3 + 0.5 * alpha[0]!, 10);
    expect(p.std[0]).toBeCloseTo(Math.sqrt(signal * (1 - 0.25 * inv[0]!)), 10);
  });

  it('learns an additive function of bits, and falls back to the data mean away from the data', async () => {
    const rng = new Rng(5);
    const dim = 128;
    const weights = Array.from({ length: 64 }, () => rng.uniform(-1, 1));
    const row = () => {
      const x = new Float32Array(dim);
      for (let k = 0; k < 12; k++) x[rng.int(64)] = 1;
      return x;
    };
    const score = (x: Float32Array) => x.reduce((s, v, j) => s + v * (weights[j] ?? 0), 0);
    const train = Array.from({ length: 200 }, row);
    const test = Array.from({ length: 50 }, row);
    const flat = (rows: Float32Array[]) => {
      const out = new Float32Array(rows.length * dim);
      rows.forEach((x, i) => out.set(x, i * dim));
      return out;
    };
    const y = train.map(score);
    const gp = new GpProxy(dim);
    const mse = await gp.fit(flat(train), y, 0);
    expect(mse).toBeLessThan(0.1);
    const p = await gp.predict(flat(test), test.length);
    const truth = test.map(score);
    const mt = truth.reduce((a, b) => a + b) / truth.length;
    const mp = p.mean.reduce((a, b) => a + b) / truth.length;
    let cov = 0;
    let vt = 0;
    let vp = 0;
    truth.forEach((t, i) => {
      cov += (t - mt) * (p.mean[i]! - mp);
      vt += (t - mt) ** 2;
      vp += (p.mean[i]! - mp) ** 2;
    });
    expect(cov / Math.sqrt(vt * vp)).toBeGreaterThan(0.8);
    // Bits the data never had: no similarity to any point, so the data mean and the prior's std.
    const far = new Float32Array(dim);
    for (let j = 64; j < 76; j++) far[j] = 1;
    const pf = await gp.predict(far, 1);
    expect(pf.mean[0]).toBeCloseTo(y.reduce((a, b) => a + b) / y.length, 10);
    expect(pf.std[0]).toBeGreaterThan(Math.max(...p.std));
    const seen = await gp.predict(train[0]!, 1);
    expect(pf.std[0]).toBeGreaterThan(3 * seen.std[0]!);
    expect(() =>
      gp.predict(
        Float32Array.from(far, (v) => -v),
        1,
      ),
    ).toThrow(/features >= 0/);
  });
});

describe('batch selection and round figures', () => {
  const env = new HypergridEnv({ ndim: 2, height: 8 });
  const pool = Int32Array.of(0, 0, 7, 7, 7, 6, 7, 7, 3, 3, 0, 1);
  const values = Float64Array.of(1, 10, 9, 10, 5, 0);

  it('takes distinct new objects by value, spread out by the least distance', () => {
    const exclude = new Set([stateKey(env, Int32Array.of(3, 3))]);
    // By value: (7,7) 10, its duplicate, (7,6) 9, (3,3) excluded, (0,0) 1, (0,1) 0.
    expect(selectDiverseBatch(env, pool, values, 3, { minDistance: 0, exclude })).toEqual([
      1, 2, 0,
    ]);
    // With a least distance of 2, (7,6) (1 from (7,7)) and (0,1) (1 from (0,0)) come only to
    // fill the batch, the better first.
    expect(selectDiverseBatch(env, pool, values, 2, { minDistance: 2, exclude })).toEqual([1, 0]);
    expect(selectDiverseBatch(env, pool, values, 4, { minDistance: 2, exclude })).toEqual([
      1, 0, 2, 5,
    ]);
  });

  it('counts modes by the env, or by score and distance', () => {
    const states = [
      Int32Array.of(1, 1),
      Int32Array.of(6, 6),
      Int32Array.of(6, 1),
      Int32Array.of(3, 3),
    ];
    expect(countModes(env, states, [3, 3, 3, 0], { threshold: null, minDistance: 0 })).toBe(3);
    const plain = new HypergridEnv({ ndim: 2, height: 8 });
    Object.defineProperty(plain, 'modeOf', { value: undefined });
    expect(countModes(plain, states, [3, 2.5, 2.9, 0], { threshold: 2, minDistance: 6 })).toBe(2);
    expect(countModes(plain, states, [3, 2.5, 2.9, 0], { threshold: null, minDistance: 6 })).toBe(
      null,
    );
  });

  it('calibration: perfect predictions, and predictions in the wrong order', () => {
    const scores = [1, 2, 3, 4];
    const good = calibration(
      { mean: Float64Array.of(1, 2, 3, 4), std: Float64Array.of(1, 1, 1, 1) },
      scores,
    );
    expect(good).toMatchObject({ rmse: 0, spearman: 1, coverage_1sd: 1, coverage_2sd: 1 });
    const bad = calibration(
      { mean: Float64Array.of(4, 3, 2, 1), std: Float64Array.of(0.1, 0.1, 0.1, 0.1) },
      scores,
    );
    expect(bad.spearman).toBeCloseTo(-1);
    expect(bad.coverage_2sd).toBe(0);
  });
});

describe('the optimization loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gfn-optimize-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options: OptimizeOptions = {
    rounds: 3,
    batch: 8,
    pool: 64,
    initial: 16,
    acquisition: 'ucb',
    kappa: 1,
    reward: { beta: 4, floor: 1e-3 },
    minDistance: 0,
    topK: 5,
    modeThreshold: null,
    modeDistance: 0,
    seed: 1,
    proxy: { members: 3, hidden: [16], steps: 100 },
  };
  const env = new HypergridEnv({ ndim: 2, height: 8 });

  it.each(['random', 'mcmc'])(
    'with the %s generator, queries only new objects and keeps every round',
    async (name) => {
      const generator =
        name === 'random'
          ? randomGenerator(env, 1)
          : mcmcGenerator(env, { chains: 8, maxBack: 2, steps: 20, seed: 1 });
      const loop = new OptimizeLoop(env, generator, envRewardOracle(env), options, dir);
      await loop.run();
      loop.dispose();
      expect(loop.rounds.map((r) => r.round)).toEqual([0, 1, 2, 3]);
      const keys = loop.data.map((p) => stateKey(env, Int32Array.from(p.state)));
      expect(new Set(keys).size).toBe(keys.length);
      // Random rollouts find 8 new objects each round; the chains' 20 steps may find fewer.
      const acquired = loop.rounds.slice(1).map((r) => r.acquired);
      expect(loop.data.length).toBe(16 + acquired.reduce((a, b) => a + b, 0));
      for (const a of acquired) expect(a).toBeGreaterThan(0);
      if (name === 'random') expect(acquired).toEqual([8, 8, 8]);
      // Scores are the env's rewards.
      for (const p of loop.data) {
        const [logR] = env.logReward(Int32Array.from(p.state), 1);
        expect(p.score).toBeCloseTo(Math.exp(logR!), 9);
      }
      const best = loop.rounds.map((r) => r.best_so_far);
      expect(best).toEqual([...best].sort((a, b) => a - b));
      expect(readLoopState(dir)?.completed).toBe(3);
    },
  );
  // Resuming a loop with a policy generator after SIGKILL: optimize.int.test.ts.
});
