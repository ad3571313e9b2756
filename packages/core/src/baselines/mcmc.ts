import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward } from '../env/state-utils.js';
import { Rng } from '../util/rng.js';
import {
  isInitial,
  uniformBackwardLogProb,
  uniformBackwardWalk,
  uniformForwardLogProb,
  uniformRollout,
} from './walks.js';

export interface McmcOptions {
  /** Independent chains, stepped together. */
  chains: number;
  /** The target is R(x)^beta / Z_beta. */
  beta: number;
  /** A proposal goes back 1..maxBack steps (uniformly chosen), then forward to an exit. */
  maxBack: number;
  seed: number;
  /** The chains' log R in place of the env's (e.g. a proxy's acquisition function). */
  logReward?: (states: Int32Array, n: number) => Promise<Float64Array>;
}

export const MCMC_DEFAULTS: McmcOptions = { chains: 16, beta: 1, maxBack: 3, seed: 0 };

/**
 * Metropolis-Hastings over terminating objects, with proposals made of the env's own actions:
 * from the chain's object x, k ~ uniform{1..maxBack} uniformly chosen backward steps (fewer if
 * the initial state comes first) reach s, then uniformly chosen forward actions from s until
 * the exit give x'. The move is accepted with probability
 *
 *   min(1, R(x')^beta P_B(x' -> s) q(k' | x') P_F(s -> x) / (R(x)^beta P_B(x -> s) q(k | x) P_F(s -> x')))
 *
 * where the reverse move walks back along the forward path and forward along the backward one
 * (a Metropolis-Hastings step on objects and paths, so the chain's objects follow
 * R^beta / Z_beta). Chains start at uniform rollouts from s0. `statesVisited` counts every state
 * a proposal steps into, the measure of cost the comparisons use.
 */
export class McmcChains {
  readonly options: McmcOptions;
  private readonly rng: Rng;
  private states: Int32Array[] = [];
  private logRewards: number[] = [];
  private visited = 0;
  private proposed = 0;
  private accepted = 0;

  constructor(
    private readonly env: DiscreteEnv,
    options: Partial<McmcOptions> = {},
  ) {
    this.options = { ...MCMC_DEFAULTS, ...options };
    this.rng = new Rng(this.options.seed);
  }

  /** States stepped into so far, by the starting rollouts and every proposal. */
  get statesVisited(): number {
    return this.visited;
  }

  /** Accepted proposals over proposals so far. */
  get acceptanceRate(): number {
    return this.proposed === 0 ? 0 : this.accepted / this.proposed;
  }

  /** The log-rewards of the chains' current objects. */
  currentLogRewards(): Float64Array {
    return Float64Array.from(this.logRewards);
  }

  /** The chains' current objects, one row each. */
  current(): Int32Array {
    const d = this.env.stateDim;
    const out = new Int32Array(this.states.length * d);
    this.states.forEach((s, i) => out.set(s, i * d));
    return out;
  }

  /** One proposal per chain (the chains start on the first call); returns the objects after it. */
  async step(): Promise<Int32Array> {
    if (this.states.length === 0) {
      await this.start();
      return this.current();
    }
    const proposals = this.states.map((x) => this.propose(x));
    const d = this.env.stateDim;
    const batch = new Int32Array(proposals.length * d);
    proposals.forEach((p, i) => batch.set(p.state, i * d));
    const logR = await this.logRewardOf(batch, proposals.length);
    const { beta } = this.options;
    proposals.forEach((p, i) => {
      this.proposed += 1;
      if (!Number.isFinite(p.logRatio)) return;
      const logAccept = beta * (logR[i]! - this.logRewards[i]!) + p.logRatio;
      if (logAccept >= 0 || Math.log(this.rng.next()) < logAccept) {
        this.states[i] = p.state;
        this.logRewards[i] = logR[i]!;
        this.accepted += 1;
      }
    });
    return this.current();
  }

  private async start(): Promise<void> {
    const walks = Array.from({ length: this.options.chains }, () =>
      uniformRollout(this.env, this.env.initialState, this.rng),
    );
    for (const w of walks) this.visited += w.steps;
    this.states = walks.map((w) => w.state);
    const d = this.env.stateDim;
    const batch = new Int32Array(walks.length * d);
    walks.forEach((w, i) => batch.set(w.state, i * d));
    this.logRewards = Array.from(await this.logRewardOf(batch, walks.length));
  }

  private logRewardOf(states: Int32Array, n: number): Promise<Float64Array> {
    const fn = this.options.logReward;
    return fn ? fn(states, n) : checkedLogReward(this.env, states, n);
  }

  /**
   * A proposal from x and the log of its path-probability ratio (reverse over forward), without
   * the rewards; -Infinity when the reverse move is impossible (its backward walk would be
   * longer than maxBack).
   */
  private propose(x: Int32Array): { state: Int32Array; logRatio: number } {
    const { env, rng } = this;
    const K = this.options.maxBack;
    const k = 1 + rng.int(K);
    const back = uniformBackwardWalk(env, x, k, rng);
    const s = back.path[back.path.length - 1]!;
    const fwd = uniformRollout(env, s, rng);
    this.visited += back.path.length - 1 + fwd.steps;
    const j = back.path.length - 1;
    const m = fwd.steps;
    // The chance that a backward walk of `steps` steps ends at s: k = steps (1..K) exactly, or,
    // when s is the initial state (where walks stop), any k >= steps.
    const atStart = isInitial(env, s);
    const qLength = (steps: number) => {
      if (steps > K) return 0;
      if (atStart) return (K - Math.max(1, steps) + 1) / K;
      return steps >= 1 ? 1 / K : 0;
    };
    const forward = back.logProb + Math.log(qLength(j)) + fwd.logProb;
    const reverse =
      uniformBackwardLogProb(env, [...fwd.path].reverse()) +
      Math.log(qLength(m)) +
      uniformForwardLogProb(env, [...back.path].reverse());
    return { state: fwd.state, logRatio: reverse - forward };
  }
}
