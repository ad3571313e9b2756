import { type Run, type RunConfig, createRun } from '@gflownet/core';
import type { Estimator } from '@gflownet/core/policies';
import * as tf from '@gflownet/core/tf';
import { hypergridModule } from '@gflownet/env-hypergrid';
import type { SpeedConfig } from './configs.js';

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface SpeedOptions {
  /** Timed blocks; the median block counts. */
  repeats: number;
  /** Length of a block in seconds (at least two iterations each). */
  seconds: number;
  /** Untimed iterations first. */
  warmup: number;
}

export interface Speed {
  /** Training iterations per second of the median block (sampling, loss, update). */
  itPerSec: number;
  /** Fresh trajectories per second. */
  trajPerSec: number;
  /** Transitions sampled per second (env steps, the exit included). */
  stepsPerSec: number;
  /** Mean transitions per trajectory. */
  meanLength: number;
  /** Milliseconds per iteration of the same matrix multiplications alone, median. */
  floorMs: number;
  /** Multiply-adds x 2 of those matrix multiplications per iteration. */
  floorFlop: number;
  blocks: number[];
}

/** One estimator call of a step: its rows, whether a gradient was taped, its layer sizes. */
interface Pass {
  rows: number;
  taped: boolean;
  sizes: number[];
}

/** Layer sizes of an MLP estimator, from its variables (weights then biases, layer by layer). */
function layerSizes(estimator: Estimator): number[] {
  const weights = estimator.variables.filter((v) => v.rank === 2);
  return [weights[0]!.shape[0]!, ...weights.map((w) => w.shape[1]!)];
}

/** Records every network pass of the run's model (forward and backward estimators). */
function recordPasses(run: Run): { passes: Pass[]; stop: () => void } {
  const passes: Pass[] = [];
  const undo: (() => void)[] = [];
  for (const estimator of [run.model.estimator, run.model.backwardEstimator]) {
    if (!estimator) continue;
    const sizes = layerSizes(estimator);
    const apply = estimator.apply.bind(estimator);
    estimator.apply = (states, n) => {
      passes.push({ rows: n, taped: tf.engine().isTapeOn(), sizes });
      return apply(states, n);
    };
    undo.push(() => (estimator.apply = apply));
  }
  return { passes, stop: () => undo.forEach((f) => f()) };
}

/**
 * The compute floor of one iteration: the same matrix multiplications (every layer of every
 * network pass, and for taped passes the weight gradient of every layer and the input gradient of
 * every layer but the first) run alone, back to back, on tensors of the same shapes. As in
 * training, a network's weights are new once per iteration and shared by its passes, and the
 * right operands of the gradient products are new each time (the backend prepares each new right
 * operand once, and that is part of the cost). Returns the median time over `repeats` and the
 * FLOPs.
 */
export function computeFloor(
  passes: readonly Pass[],
  repeats: number,
): { ms: number; flop: number } {
  type Product = { a: tf.Tensor3D; b: (r: number) => tf.Tensor3D; flop: number };
  const fresh: tf.Tensor3D[] = [];
  const make = (shape: [number, number, number]): tf.Tensor3D => {
    const t = tf.randomNormal(shape) as tf.Tensor3D;
    fresh.push(t);
    return t;
  };
  // Per repeat, one weight tensor per network (keyed by its sizes) and layer.
  const weights = new Map<string, tf.Tensor3D[][]>();
  const weightOf = (sizes: number[], l: number, r: number): tf.Tensor3D => {
    const key = sizes.join('x');
    if (!weights.has(key)) {
      weights.set(
        key,
        Array.from({ length: repeats + 1 }, () =>
          sizes.slice(0, -1).map((k, j) => make([1, k, sizes[j + 1]!])),
        ),
      );
    }
    return weights.get(key)![r]![l]!;
  };
  const products: Product[] = [];
  for (const p of passes) {
    for (let l = 0; l + 1 < p.sizes.length; l++) {
      const [k, n] = [p.sizes[l]!, p.sizes[l + 1]!];
      const flop = 2 * p.rows * k * n;
      products.push({ a: make([1, p.rows, k]), b: (r) => weightOf(p.sizes, l, r), flop });
      if (!p.taped) continue;
      const gs = Array.from({ length: repeats + 1 }, () => make([1, p.rows, n]));
      products.push({ a: make([1, k, p.rows]), b: (r) => gs[r]!, flop }); // dW = h^T g
      if (l === 0) continue;
      const wt = Array.from({ length: repeats + 1 }, () => make([1, n, k]));
      products.push({ a: make([1, p.rows, n]), b: (r) => wt[r]!, flop }); // dh = g W^T
    }
  }
  const attrs = { transposeA: false, transposeB: false };
  const once = (r: number): void => {
    for (const { a, b } of products) {
      (tf.engine().runKernel(tf.BatchMatMul, { a, b: b(r) }, attrs) as tf.Tensor).dispose();
    }
  };
  once(0);
  const times: number[] = [];
  for (let r = 1; r <= repeats; r++) {
    const t0 = performance.now();
    once(r);
    times.push(performance.now() - t0);
  }
  tf.dispose(fresh);
  return { ms: median(times), flop: products.reduce((s, p) => s + p.flop, 0) };
}

/** Trains `run` in timed blocks and measures the compute floor of the last block's passes. */
export async function measureSpeed(run: Run, options: SpeedOptions): Promise<Speed> {
  for (let i = 0; i < options.warmup; i++) await run.step();
  const blocks: number[] = [];
  const rates: { traj: number; steps: number }[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const t0 = performance.now();
    const traj0 = run.trajectories;
    const transitions0 = run.transitions;
    let iterations = 0;
    while (iterations < 2 || performance.now() - t0 < options.seconds * 1000) {
      await run.step();
      iterations++;
    }
    const seconds = (performance.now() - t0) / 1000;
    blocks.push(iterations / seconds);
    rates.push({
      traj: (run.trajectories - traj0) / seconds,
      steps: (run.transitions - transitions0) / seconds,
    });
  }
  // The floor of three more iterations, each on its own, averaged.
  const floors: { ms: number; flop: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const recorder = recordPasses(run);
    await run.step();
    recorder.stop();
    floors.push(computeFloor(recorder.passes, 5));
  }
  // The median block (the upper one of an even count) gives every rate.
  const order = blocks.map((_, i) => i).sort((x, y) => blocks[x]! - blocks[y]!);
  const at = order[order.length >> 1]!;
  const { traj, steps } = rates[at]!;
  return {
    itPerSec: blocks[at]!,
    trajPerSec: traj,
    stepsPerSec: steps,
    meanLength: steps / traj,
    floorMs: floors.reduce((s, f) => s + f.ms, 0) / floors.length,
    floorFlop: floors.reduce((s, f) => s + f.flop, 0) / floors.length,
    blocks,
  };
}

/** A hypergrid run of a standard configuration (MLP 2x256, R0/R1/R2 0.1/0.5/2), plus `extra`. */
export async function hypergridRun(c: SpeedConfig, extra: Partial<RunConfig> = {}): Promise<Run> {
  return createRun(
    {
      env: 'hypergrid',
      envParams: { ndim: c.ndim, height: c.height, r0: 0.1, r1: 0.5, r2: 2 },
      loss: c.loss,
      backward: c.backward,
      batchSize: c.batch,
      workers: c.workers ?? 0,
      ...extra,
    },
    [hypergridModule],
    // Actor threads load the env's package by name.
    { modules: ['@gflownet/env-hypergrid'] },
  );
}
