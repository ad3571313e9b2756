import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward, stateDistance, stateKey } from '../env/state-utils.js';
import { compareDistributions, targetDistribution } from '../metrics/exact.js';
import { ModeTracker } from '../metrics/modes.js';
import type { StateGraph } from '../metrics/state-graph.js';
import type { Run } from '../run/run.js';
import { Rng } from '../util/rng.js';
import { McmcChains, type McmcOptions } from './mcmc.js';
import { uniformRollout } from './walks.js';

/**
 * A method that visits terminating objects: a GFlowNet in training, uniform random rollouts, or
 * MCMC chains. Comparisons give each the same budget of states visited (every state a method
 * steps into, exits not counted) and look at the objects it produced along the way.
 */
export interface ComparisonMethod {
  readonly name: string;
  /** States stepped into so far. */
  readonly statesVisited: number;
  /** Advances by one batch (an iteration, a batch of rollouts, one step of every chain). */
  next(): Promise<{ objects: Int32Array; count: number; logRewards?: Float64Array }>;
  dispose(): void;
}

/** A GFlowNet run as a method: each advance is one training iteration on fresh trajectories. */
export function gflownetMethod(name: string, run: Run): ComparisonMethod {
  let last: { objects: Int32Array; count: number; logRewards: Float64Array } | null = null;
  run.onFreshObjects = (objects, count, logRewards) => {
    last = { objects: objects.slice(), count, logRewards: logRewards.slice() };
  };
  return {
    name,
    // Every trajectory ends with one exit, which steps into no new state.
    get statesVisited() {
      return run.transitions - run.trajectories;
    },
    async next() {
      last = null;
      await run.step();
      return last ?? { objects: new Int32Array(0), count: 0 };
    },
    dispose: () => run.dispose(),
  };
}

/** Uniformly random rollouts from s0, `batchSize` per advance. */
export function randomMethod(env: DiscreteEnv, seed: number, batchSize: number): ComparisonMethod {
  const rng = new Rng(seed);
  let visited = 0;
  return {
    name: 'random',
    get statesVisited() {
      return visited;
    },
    next() {
      const d = env.stateDim;
      const objects = new Int32Array(batchSize * d);
      for (let i = 0; i < batchSize; i++) {
        const w = uniformRollout(env, env.initialState, rng);
        visited += w.steps;
        objects.set(w.state, i * d);
      }
      return Promise.resolve({ objects, count: batchSize });
    },
    dispose: () => {},
  };
}

/** MCMC chains (see McmcChains): each advance is one proposal per chain. */
export function mcmcMethod(env: DiscreteEnv, options: Partial<McmcOptions>): ComparisonMethod {
  const chains = new McmcChains(env, options);
  return {
    name: 'mcmc',
    get statesVisited() {
      return chains.statesVisited;
    },
    async next() {
      const objects = await chains.step();
      // The chains know their objects' rewards already.
      return {
        objects,
        count: objects.length / env.stateDim,
        logRewards: chains.currentLogRewards(),
      };
    },
    dispose: () => {},
  };
}

/** One point of a method's curve. */
export interface ComparisonPoint {
  states_visited: number;
  /** Terminating objects produced (and scored) so far: oracle calls, with an expensive reward. */
  objects: number;
  /** Distinct modes among the objects visited so far (envs with modes). */
  modes_found?: number;
  /** sum_x |p_hat(x) - R(x)/Z| with p_hat the histogram of every object visited (enumerable). */
  l1_empirical?: number;
  /** Mean score (env.objectScore, else R) of the k best distinct objects visited so far. */
  top_k_mean_reward: number;
  /** Distinct objects visited so far. */
  distinct: number;
}

export interface CompareOptions {
  /** States visited (or objects, see `unit`) to stop at. */
  budget: number;
  /** What the budget counts: states stepped into (default), or objects produced. */
  unit?: 'states' | 'objects';
  /** Points on the curve (evenly spaced in states visited). */
  points: number;
  /** k of the top-k mean reward. */
  topK: number;
  /** The state graph of an enumerable env, for the empirical L1. */
  graph?: StateGraph | null;
  /**
   * Envs without modeOf: a mode is an object scoring at least this, at distance >= modeDistance
   * (env.distance) from every mode found before it (none counted without a threshold).
   */
  modeThreshold?: number | null;
  modeDistance?: number;
}

/**
 * Advances `method` until it has visited `budget` states (or produced `budget` objects),
 * recording modes found, the empirical L1 (when a graph is given) and the top-k mean score of
 * distinct objects at `points` evenly spaced budgets (and at the end).
 */
export async function runOnBudget(
  env: DiscreteEnv,
  method: ComparisonMethod,
  options: CompareOptions,
): Promise<ComparisonPoint[]> {
  const modes = new ModeTracker(env);
  const threshold = modes.enabled ? null : (options.modeThreshold ?? null);
  const found: Int32Array[] = [];
  const graph = options.graph ?? null;
  const hist = graph ? new Float64Array(graph.size) : null;
  const target = graph ? targetDistribution(graph) : null;
  let total = 0;
  const spent = () => (options.unit === 'objects' ? total : method.statesVisited);
  const best = new Map<string, number>();
  const points: ComparisonPoint[] = [];
  const step = options.budget / options.points;
  let nextAt = step;
  const record = () => {
    const rewards = [...best.values()].sort((a, b) => b - a).slice(0, options.topK);
    const point: ComparisonPoint = {
      states_visited: method.statesVisited,
      objects: total,
      top_k_mean_reward: rewards.reduce((s, v) => s + v, 0) / Math.max(1, rewards.length),
      distinct: best.size,
    };
    if (modes.enabled) point.modes_found = modes.found;
    else if (threshold !== null) point.modes_found = found.length;
    if (hist && target && graph && total > 0) {
      const p = hist.map((c) => c / total);
      point.l1_empirical = compareDistributions(p, target, graph.numTerminal).l1;
    }
    points.push(point);
  };
  while (spent() < options.budget) {
    const { objects, count, logRewards } = await method.next();
    if (count === 0) continue;
    modes.observe(objects, count);
    total += count;
    const logR = logRewards ?? (await checkedLogReward(env, objects, count));
    for (let i = 0; i < count; i++) {
      const key = stateKey(env, objects, i);
      const score = env.objectScore?.(logR[i]!) ?? Math.exp(logR[i]!);
      if (threshold !== null && score >= threshold && !best.has(key)) {
        const s = objects.slice(i * env.stateDim, (i + 1) * env.stateDim);
        const far = (m: Int32Array) => stateDistance(env, s, m) >= (options.modeDistance ?? 0);
        if (found.every(far)) found.push(s);
      }
      best.set(key, score);
      if (hist && graph) hist[graph.index.get(key)!]! += 1;
    }
    while (spent() >= nextAt && nextAt <= options.budget) {
      record();
      nextAt += step;
    }
  }
  if (points.at(-1)?.objects !== total) record();
  return points;
}
