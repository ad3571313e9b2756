import type { DiscreteEnv } from '../env/env.js';
import { formatState, selectRows } from '../env/state-utils.js';
import { EnvContractError } from '../errors.js';
import { type PolicyModel, softmaxRow } from '../policies/model.js';
import type { Rng } from '../util/rng.js';
import { type ExplorationOptions, type Sampler, valueAt } from './sampler.js';
import { type Segment, type Trajectories, assembleTrajectories } from './trajectories.js';

/**
 * Rolls out `count` trajectories in parallel from s0 with the forward policy, optionally tempered
 * (logits / temperature) and mixed with a uniform choice among allowed actions (epsilon); both may
 * follow a schedule over iterations. The losses recompute the policy's own log-probabilities, so
 * training stays correct off-policy.
 */
export class OnPolicySampler implements Sampler {
  constructor(
    private readonly env: DiscreteEnv,
    private readonly rng: Rng,
    private readonly exploration: ExplorationOptions = { epsilon: 0, temperature: 1 },
  ) {}

  async sample(model: PolicyModel, count: number, iteration = 0): Promise<Trajectories> {
    const d = this.env.stateDim;
    const starts = new Int32Array(count * d);
    for (let b = 0; b < count; b++) starts.set(this.env.initialState, b * d);
    return assembleTrajectories(this.env, this.rollout(model, starts, count, iteration));
  }

  /**
   * Continues from n given states with the forward policy until each exits; returns, per start,
   * the visited states (the start included) and the actions taken.
   */
  rollout(model: PolicyModel, starts: Int32Array, n: number, iteration = 0): Segment[] {
    const env = this.env;
    const epsilon = valueAt(this.exploration.epsilon, iteration);
    const temperature = valueAt(this.exploration.temperature, iteration);
    const d = env.stateDim;
    const a = env.numActions;
    const segments: Segment[] = Array.from({ length: n }, () => ({ states: [], actions: [] }));
    let current = starts.slice(0, n * d);
    let active = Int32Array.from({ length: n }, (_, b) => b);
    const mask = new Uint8Array(n * a);
    const probs = new Float64Array(a);
    let steps = 0;
    while (active.length > 0) {
      if (++steps > env.maxTrajectoryLength) {
        throw new EnvContractError(
          env.name,
          `a trajectory ran past the longest one the env allows (${env.maxTrajectoryLength} ` +
            `steps), at state ${formatState(env, current, 0)}: the actions form a cycle`,
        );
      }
      const m = active.length;
      const logits = model.forwardLogits(current, m);
      env.forwardMask(current, m, mask);
      const moving: number[] = [];
      const moveActions: number[] = [];
      for (let i = 0; i < m; i++) {
        const action = this.choose(current, logits, mask, i, a, temperature, epsilon, probs);
        const seg = segments[active[i]!]!;
        for (let j = 0; j < d; j++) seg.states.push(current[i * d + j]!);
        seg.actions.push(action);
        if (action !== env.exitAction) {
          moving.push(i);
          moveActions.push(action);
        }
      }
      const k = moving.length;
      const from = selectRows(current, moving, d);
      const next = new Int32Array(k * d);
      if (k > 0) env.step(from, Int32Array.from(moveActions), k, next);
      active = Int32Array.from(moving, (i) => active[i]!);
      current = next;
    }
    return segments;
  }

  private choose(
    states: Int32Array,
    logits: Float32Array,
    mask: Uint8Array,
    i: number,
    a: number,
    temperature: number,
    epsilon: number,
    probs: Float64Array,
  ): number {
    softmaxRow(logits, mask, i, a, temperature, probs, 0);
    if (epsilon > 0) {
      let allowed = 0;
      for (let k = 0; k < a; k++) allowed += mask[i * a + k]!;
      for (let k = 0; k < a; k++) {
        probs[k] = (1 - epsilon) * probs[k]! + (mask[i * a + k] ? epsilon / allowed : 0);
      }
    }
    const k = sampleIndex(this.rng, probs, mask, i * a, a);
    if (k < 0) {
      throw new EnvContractError(
        this.env.name,
        `state ${formatState(this.env, states, i)} allows no action, not even the exit (a dead end)`,
      );
    }
    return k;
  }
}

/**
 * Draws k with probability probs[k] among k where mask[offset + k] is set (probs sum to 1 over
 * them); rounding leftovers go to the last allowed index. -1 when no k is allowed.
 */
export function sampleIndex(
  rng: Rng,
  probs: ArrayLike<number>,
  mask: Uint8Array,
  offset: number,
  width: number,
  probsOffset = 0,
): number {
  let u = rng.next();
  let last = -1;
  for (let k = 0; k < width; k++) {
    if (!mask[offset + k]) continue;
    last = k;
    u -= probs[probsOffset + k]!;
    if (u < 0) return k;
  }
  return last;
}
