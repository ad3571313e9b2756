import { McmcChains } from '../baselines/mcmc.js';
import { uniformRollout } from '../baselines/walks.js';
import type { DiscreteEnv } from '../env/env.js';
import { stateKey } from '../env/state-utils.js';
import { sampleTerminalStates } from '../metrics/evaluate.js';
import type { Checkpoint } from '../run/checkpoint.js';
import type { Run } from '../run/run.js';
import { Rng } from '../util/rng.js';

/** log R of terminating states: what a generator searches with (the proxy's acquisition). */
export type LogRewardFn = (states: Int32Array, n: number) => Promise<Float64Array>;

/**
 * What proposes candidates in each round of `gfn optimize`: a GFlowNet (or PPO, or any
 * objective) trained on the round's reward, MCMC chains on it, or uniform rollouts.
 */
export interface Generator {
  readonly name: string;
  /**
   * Searches with the round's reward (reporting progress), then returns up to `pool` distinct
   * candidate objects, one row each, none of them in `exclude` (canonical keys of the data).
   */
  propose(
    logReward: LogRewardFn,
    pool: number,
    round: number,
    exclude: ReadonlySet<string>,
    progress?: (done: number, total: number) => void,
  ): Promise<Int32Array>;
  /** What resuming needs (a run's checkpoint); null for a generator that keeps nothing. */
  save(): Promise<Checkpoint | null>;
  dispose(): void;
}

/**
 * A trained policy as the generator: each round it trains `iterations` more iterations
 * (warm-started: the same run across rounds) on the round's reward, then samples the pool.
 */
export function runGenerator(name: string, run: Run, iterations: number): Generator {
  return {
    name,
    async propose(logReward, pool, round, exclude, progress) {
      run.useLogReward(logReward);
      for (let i = 0; i < iterations; i++) {
        await run.step();
        progress?.(i + 1, iterations);
      }
      // Seeded by the seed and round: a resumed loop draws the same pool.
      let draw = 0;
      return newCandidates(run.env, pool, exclude, () =>
        sampleTerminalStates(run.model, pool, run.config.seed * 100_003 + round * 1000 + draw++),
      );
    },
    save: () => run.checkpoint(),
    dispose: () => run.dispose(),
  };
}

/** Draws of a generator before it settles for fewer than `pool` new candidates. */
const MAX_DRAWS = 10;

/** Gathers up to `pool` distinct rows not in `exclude`, in the order they are offered. */
class NewCandidates {
  private readonly seen: Set<string>;
  private readonly out: Int32Array;
  private filled = 0;

  constructor(
    private readonly env: DiscreteEnv,
    private readonly pool: number,
    exclude: ReadonlySet<string>,
  ) {
    this.seen = new Set(exclude);
    this.out = new Int32Array(pool * env.stateDim);
  }

  get full(): boolean {
    return this.filled >= this.pool;
  }

  offer(rows: Int32Array): void {
    const d = this.env.stateDim;
    for (let i = 0; i < rows.length / d && !this.full; i++) {
      const key = stateKey(this.env, rows, i);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.out.set(rows.subarray(i * d, (i + 1) * d), this.filled * d);
      this.filled += 1;
    }
  }

  rows(): Int32Array {
    return this.out.subarray(0, this.filled * this.env.stateDim);
  }
}

/** New candidates from successive draws, until `pool` of them or MAX_DRAWS draws. */
async function newCandidates(
  env: DiscreteEnv,
  pool: number,
  exclude: ReadonlySet<string>,
  draw: () => Promise<Int32Array>,
): Promise<Int32Array> {
  const found = new NewCandidates(env, pool, exclude);
  for (let k = 0; k < MAX_DRAWS && !found.full; k++) found.offer(await draw());
  return found.rows();
}

/** Uniformly random rollouts from s0 (no search: the proxy only ranks them). */
export function randomGenerator(env: DiscreteEnv, seed: number): Generator {
  return {
    name: 'random',
    propose(_logReward, pool, round, exclude) {
      const rng = new Rng(seed * 100_003 + round);
      const d = env.stateDim;
      return newCandidates(env, pool, exclude, () => {
        const out = new Int32Array(pool * d);
        for (let i = 0; i < pool; i++) {
          out.set(uniformRollout(env, env.initialState, rng).state, i * d);
        }
        return Promise.resolve(out);
      });
    },
    save: () => Promise.resolve(null),
    dispose: () => {},
  };
}

/**
 * MCMC chains on the round's reward (see McmcChains), restarted each round from uniform
 * rollouts: `steps` proposals per chain, and the pool is the chains' latest objects.
 */
export function mcmcGenerator(
  env: DiscreteEnv,
  options: { chains: number; maxBack: number; steps: number; seed: number },
): Generator {
  return {
    name: 'mcmc',
    async propose(logReward, pool, round, exclude, progress) {
      const chains = new McmcChains(env, {
        chains: options.chains,
        maxBack: options.maxBack,
        beta: 1,
        seed: options.seed * 100_003 + round,
        logReward,
      });
      const rows: Int32Array[] = [];
      for (let step = 0; step < options.steps; step++) {
        const current = await chains.step();
        rows.push(current);
        progress?.(step + 1, options.steps);
      }
      // The latest new objects first, `pool` of them.
      const found = new NewCandidates(env, pool, exclude);
      for (let r = rows.length - 1; r >= 0 && !found.full; r--) found.offer(rows[r]!);
      return found.rows();
    },
    save: () => Promise.resolve(null),
    dispose: () => {},
  };
}
