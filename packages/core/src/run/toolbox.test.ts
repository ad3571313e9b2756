import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { UserError } from '../errors.js';
import { gatherRows } from '../losses/gather.js';
import {
  backwardLogProbs,
  forwardLogProbs,
  prepareTransitions,
  trajectoryLogRatio,
  trajectoryRows,
} from '../losses/transitions.js';
import { LossPlugin } from '../losses/loss.js';
import { EnvBackward, UniformBackward } from '../policies/backward.js';
import { MlpEstimator } from '../policies/mlp.js';
import { PolicyModel } from '../policies/model.js';
import { PluginRegistry } from '../registry/registry.js';
import {
  DiverseBuffer,
  PrioritizedBuffer,
  TerminalStateBuffer,
  TrajectoryFifoBuffer,
} from '../replay/buffers.js';
import { BackwardSampler } from '../samplers/backward.js';
import { LocalSearchSampler } from '../samplers/local-search.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { parseSchedule } from '../samplers/schedule.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { HypergridEnv } from '../testing/hypergrid.js';
import { testingModule } from '../testing/module.js';
import { Rng } from '../util/rng.js';
import { createRun } from './create-run.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function newModel(env: HypergridEnv, seed = 0): PolicyModel {
  const heads = { learnedBackward: false, stateFlow: false };
  const estimator = new MlpEstimator(
    env,
    { hidden: [16], outDim: PolicyModel.outputWidth(env, heads) },
    new Rng(seed),
  );
  return new PolicyModel(env, estimator, heads);
}

/** Every trajectory starts at s0, takes allowed steps, and ends with the exit action. */
function expectValid(env: HypergridEnv, batch: Trajectories): void {
  const d = env.stateDim;
  const mask = new Uint8Array(env.numActions);
  const next = new Int32Array(d);
  for (let b = 0; b < batch.count; b++) {
    const start = batch.starts[b]!;
    const end = batch.starts[b + 1]!;
    expect(Array.from(batch.states.subarray(start * d, (start + 1) * d))).toEqual(
      Array.from(env.initialState),
    );
    for (let i = start; i < end; i++) {
      const state = batch.states.subarray(i * d, (i + 1) * d);
      env.forwardMask(state, 1, mask);
      expect(mask[batch.actions[i]!]).toBe(1);
      if (i === end - 1) {
        expect(batch.actions[i]).toBe(env.exitAction);
      } else {
        expect(batch.actions[i]).not.toBe(env.exitAction);
        env.step(state, batch.actions.subarray(i, i + 1), 1, next);
        expect(Array.from(next)).toEqual(
          Array.from(batch.states.subarray((i + 1) * d, (i + 2) * d)),
        );
      }
    }
  }
  const rewards = env.logReward(batch.terminalStates(), batch.count);
  for (let b = 0; b < batch.count; b++) expect(batch.logRewards[b]).toBeCloseTo(rewards[b]!, 6);
}

describe('gatherRows', () => {
  it('gives the values and gradients of a one-hot matMul, repeated indices included', () => {
    const x = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]));
    const idx = Int32Array.from([2, 0, 2, 3]);
    const weights = tf.tensor2d([1, -2, 3, 0.5, -1, 2, 4, 1], [4, 2]);
    const onehot = new Float32Array(16);
    idx.forEach((r, i) => (onehot[i * 4 + r] = 1));
    const viaGather = tf.variableGrads(() => tf.sum(tf.mul(gatherRows(x, idx), weights)), [x]);
    const viaMatMul = tf.variableGrads(
      () => tf.sum(tf.mul(tf.matMul(tf.tensor2d(onehot, [4, 4]), x), weights)),
      [x],
    );
    expect(viaGather.value.dataSync()[0]).toBeCloseTo(viaMatMul.value.dataSync()[0]!, 5);
    expect(Array.from(viaGather.grads[x.name]!.dataSync())).toEqual(
      Array.from(viaMatMul.grads[x.name]!.dataSync()),
    );
    tf.dispose([x, weights, viaGather.value, viaMatMul.value]);
    tf.dispose(Object.values(viaGather.grads));
    tf.dispose(Object.values(viaMatMul.grads));
  });
});

describe('per-trajectory sums', () => {
  it('take memory linear in the batch (B x longest trajectory) and equal the sums of the rows', async () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    const model = newModel(env);
    const batch = await new OnPolicySampler(env, new Rng(21), {
      epsilon: 1,
      temperature: 1,
    }).sample(model, 50);
    const { rows, width } = trajectoryRows(batch);
    let longest = 0;
    for (let b = 0; b < batch.count; b++)
      longest = Math.max(longest, batch.starts[b + 1]! - batch.starts[b]!);
    expect(width).toBe(longest);
    expect(rows.length).toBe(50 * longest);
    const x = { ...prepareTransitions(batch, new UniformBackward(env)), rows, width };
    const perTrajectory = tf.tidy(() => trajectoryLogRatio(model, x).dataSync());
    const perRow = tf.tidy(() => {
      const out = model.outputs(x.states, x.n);
      const logPF = forwardLogProbs(out.logits, x);
      return tf.sub(logPF, backwardLogProbs(model, undefined, x)).dataSync();
    });
    for (let b = 0; b < batch.count; b++) {
      let sum = 0;
      for (let i = batch.starts[b]!; i < batch.starts[b + 1]!; i++) sum += perRow[i]!;
      expect(perTrajectory[b]).toBeCloseTo(sum, 4);
    }
    model.dispose();
  });
});

describe('schedules', () => {
  const range = { min: 0, max: 1 };
  it('parses constants, linear ramps (then held) and exponential decay', () => {
    expect(parseSchedule('0.25', '--epsilon', range).at(1000)).toBe(0.25);
    const lin = parseSchedule('linear(0.5, 0.1, 100)', '--epsilon', range);
    expect(lin.at(0)).toBe(0.5);
    expect(lin.at(50)).toBeCloseTo(0.3, 12);
    expect([lin.at(100), lin.at(1000)]).toEqual([0.1, 0.1]);
    const exp = parseSchedule('exp(1, 0, 10)', '--epsilon', range);
    expect(exp.at(0)).toBe(1);
    expect(exp.at(10)).toBeCloseTo(Math.exp(-1), 12);
    expect(exp.at(1e6)).toBeCloseTo(0, 12);
  });
  it('rejects malformed schedules and values out of range, naming the flag', () => {
    expect(() => parseSchedule('cosine(1, 0, 5)', '--epsilon', range)).toThrow(
      "--epsilon: 'cosine(1, 0, 5)' is not a number or a schedule",
    );
    expect(() => parseSchedule('linear(1, 0)', '--epsilon', range)).toThrow(
      '--epsilon: linear(...) takes 3 numbers, got 2',
    );
    expect(() => parseSchedule('exp(1, 0, 0)', '--epsilon', range)).toThrow(UserError);
    expect(() => parseSchedule('1.5', '--epsilon', range)).toThrow(
      '--epsilon: 1.5 is out of range (allowed: 0..1)',
    );
  });
});

describe('plugin choices', () => {
  const registry = PluginRegistry.load([]);
  const choose = (text: string) => registry.choose(LossPlugin, text, 'loss', '--loss');
  it('fill defaults and take overrides', () => {
    expect(choose('subtb').options).toEqual({ lambda: 0.9 });
    expect(choose('subtb:lambda=0.5').options).toEqual({ lambda: 0.5 });
  });
  it('reject unknown options, malformed pairs and bad numbers', () => {
    expect(() => choose('tb:lambda=1')).toThrow(
      "--loss: 'tb' has no option 'lambda' (its options: none)",
    );
    expect(() => choose('subtb:lambda')).toThrow(
      "--loss: expected KEY=VALUE after 'subtb:', got 'lambda'",
    );
    expect(() => choose('subtb:lambda=x')).toThrow(
      "--loss (subtb option 'lambda'): 'x' is not a number",
    );
  });
});

describe('backward sampling', () => {
  it('builds valid trajectories from s0 to the given terminating states', async () => {
    const env = new HypergridEnv({ ndim: 3, height: 5 });
    const model = newModel(env);
    const sampler = new BackwardSampler(env, new UniformBackward(env), new Rng(1));
    const terminals = Int32Array.from([4, 4, 4, 0, 0, 0, 1, 3, 0, 2, 0, 4]);
    const rewards = env.logReward(terminals, 4);
    const batch = await sampler.sample(model, terminals, 4, rewards);
    expectValid(env, batch);
    expect(Array.from(batch.terminalStates())).toEqual(Array.from(terminals));
    expect(batch.starts[4]! - batch.starts[3]!).toBe(2 + 4 + 1);
    model.dispose();
  });

  it("follows the env's fixed backward policy", async () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    const model = newModel(env);
    const sampler = new BackwardSampler(env, new EnvBackward(env), new Rng(2));
    const n = 4000;
    const terminals = new Int32Array(n * 2);
    for (let i = 0; i < n; i++) terminals.set([6, 2], i * 2);
    const batch = await sampler.sample(model, terminals, n, env.logReward(terminals, n));
    // The last forward step undoes the first backward one: P_B(dim 0 | (6, 2)) = 6 / 8.
    let dim0 = 0;
    for (let b = 0; b < n; b++) if (batch.actions[batch.exitRow(b) - 1] === 0) dim0 += 1;
    expect(dim0 / n).toBeGreaterThan(0.72);
    expect(dim0 / n).toBeLessThan(0.78);
    model.dispose();
  });
});

describe('local search', () => {
  it('returns half fresh trajectories and half that are at least as rewarding', async () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    const model = newModel(env);
    const forward = new OnPolicySampler(env, new Rng(3), { epsilon: 0, temperature: 1 });
    const backward = new BackwardSampler(env, new UniformBackward(env), new Rng(4));
    const batch = await new LocalSearchSampler(env, forward, backward, 3).sample(model, 40);
    expect(batch.count).toBe(40);
    expectValid(env, batch);
    for (let b = 0; b < 20; b++) {
      expect(batch.logRewards[20 + b]).toBeGreaterThanOrEqual(batch.logRewards[b]!);
    }
    model.dispose();
  });
});

describe('replay buffers', () => {
  const env = new HypergridEnv({ ndim: 2, height: 8 });
  const model = newModel(env);
  const backward = () => new BackwardSampler(env, new UniformBackward(env), new Rng(5));
  const fresh = (seed: number, count: number) =>
    new OnPolicySampler(env, new Rng(seed), { epsilon: 1, temperature: 1 }).sample(model, count);
  afterAll(() => model.dispose());

  it('fifo keeps the newest trajectories and replays them as they were', async () => {
    const buffer = new TrajectoryFifoBuffer(env, new Rng(6), 10);
    const first = await fresh(7, 8);
    const second = await fresh(8, 8);
    buffer.add(first);
    buffer.add(second);
    expect(buffer.size).toBe(10);
    const replayed = await buffer.sample(model, 30);
    expectValid(env, replayed);
    const keys = new Set<string>();
    for (let b = 2; b < 8; b++)
      keys.add(Array.from(second.terminalStates().subarray(b * 2, b * 2 + 2)).join());
    // Entries 0 and 1 of the first batch were overwritten; everything replayed is stored.
    const stored = new Set<string>();
    for (const batch of [first, second]) {
      for (let b = 0; b < 8; b++)
        stored.add(Array.from(batch.terminalStates().subarray(b * 2, b * 2 + 2)).join());
    }
    const t = replayed.terminalStates();
    for (let b = 0; b < 30; b++) expect(stored.has(`${t[b * 2]},${t[b * 2 + 1]}`)).toBe(true);
  });

  it('terminal stores each state once and replays valid backward-sampled trajectories', async () => {
    const buffer = new TerminalStateBuffer(env, new Rng(9), backward(), 100);
    const batch = await fresh(10, 64);
    buffer.add(batch);
    buffer.add(batch);
    const distinct = new Set<string>();
    const t = batch.terminalStates();
    for (let b = 0; b < 64; b++) distinct.add(`${t[b * 2]},${t[b * 2 + 1]}`);
    expect(buffer.size).toBe(distinct.size);
    expectValid(env, await buffer.sample(model, 32));
  });

  it('prioritized keeps the highest rewards and replays in proportion to R', async () => {
    const buffer = new PrioritizedBuffer(env, new Rng(11), backward(), 8, 1);
    const seen = new Map<string, number>();
    for (let s = 0; s < 10; s++) {
      const batch = await fresh(20 + s, 32);
      buffer.add(batch);
      const t = batch.terminalStates();
      for (let b = 0; b < batch.count; b++)
        seen.set(`${t[b * 2]},${t[b * 2 + 1]}`, batch.logRewards[b]!);
    }
    const top = [...seen.values()].sort((a, b) => b - a).slice(0, 8);
    const n = 4000;
    const replayed = await buffer.sample(model, n);
    expectValid(env, replayed);
    expect(Math.min(...replayed.logRewards)).toBeGreaterThanOrEqual(top[7]!);
    // Each stored state is drawn with probability R / sum R of the stored states.
    const total = top.reduce((s, lr) => s + Math.exp(lr), 0);
    const best = top[0]!;
    const expected = (top.filter((lr) => lr === best).length * Math.exp(best)) / total;
    const share = replayed.logRewards.filter((lr) => lr === best).length / n;
    expect(Math.abs(share - expected)).toBeLessThan(0.03);
  });

  it('diverse rejects states closer than the cutoff to a stored one', async () => {
    const buffer = new DiverseBuffer(env, new Rng(12), backward(), 50, 1, 4);
    for (let s = 0; s < 5; s++) buffer.add(await fresh(40 + s, 32));
    const replayed = await buffer.sample(model, 200);
    const t = replayed.terminalStates();
    const kept = new Map<string, number[]>();
    for (let b = 0; b < 200; b++)
      kept.set(`${t[b * 2]},${t[b * 2 + 1]}`, [t[b * 2]!, t[b * 2 + 1]!]);
    const points = [...kept.values()];
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const dist =
          Math.abs(points[i]![0]! - points[j]![0]!) + Math.abs(points[i]![1]! - points[j]![1]!);
        expect(dist).toBeGreaterThanOrEqual(4);
      }
    }
  });
});

describe('the trainer with a replay buffer', () => {
  it('samples fresh only the non-replayed share once the buffer holds anything', async () => {
    const run = await createRun(
      {
        env: 'test-hypergrid',
        envParams: {},
        hidden: [16],
        batchSize: 16,
        replay: 'terminal',
        replayShare: 0.25,
      },
      [testingModule],
    );
    const result = await run.train({ iterations: 3 });
    expect(result.trajectories).toBe(16 + 12 + 12);
    run.dispose();
  });
});
