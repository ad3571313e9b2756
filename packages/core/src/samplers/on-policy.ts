import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward, formatState } from '../env/state-utils.js';
import { GfnInternalError } from '../errors.js';
import { type PolicyModel, softmaxRow } from '../policies/model.js';
import type { Rng } from '../util/rng.js';
import type { ExplorationOptions, Sampler } from './sampler.js';
import { Trajectories } from './trajectories.js';

/**
 * Rolls out `count` trajectories in parallel from s0 with the forward policy, optionally tempered
 * (logits / temperature) and mixed with a uniform choice among allowed actions (epsilon). The
 * losses recompute the policy's own log-probabilities, so training stays correct off-policy.
 */
export class OnPolicySampler implements Sampler {
  constructor(
    private readonly env: DiscreteEnv,
    private readonly rng: Rng,
    private readonly exploration: ExplorationOptions = { epsilon: 0, temperature: 1 },
  ) {}

  async sample(model: PolicyModel, count: number): Promise<Trajectories> {
    const env = this.env;
    const { epsilon, temperature } = this.exploration;
    const d = env.stateDim;
    const a = env.numActions;
    const perTraj: { states: number[]; actions: number[] }[] = [];
    let current = new Int32Array(count * d);
    for (let b = 0; b < count; b++) {
      current.set(env.initialState, b * d);
      perTraj.push({ states: [], actions: [] });
    }
    let active = Int32Array.from({ length: count }, (_, b) => b);
    const mask = new Uint8Array(count * a);
    const probs = new Float64Array(a);
    let steps = 0;
    while (active.length > 0) {
      if (++steps > env.maxTrajectoryLength) {
        throw new GfnInternalError(
          'cycle',
          `${env.name}: a trajectory exceeded maxTrajectoryLength ${env.maxTrajectoryLength} ` +
            `at state ${formatState(env, current, 0)}`,
        );
      }
      const n = active.length;
      const logits = model.forwardLogits(current, n);
      env.forwardMask(current, n, mask);
      const moving: number[] = [];
      const moveActions: number[] = [];
      for (let i = 0; i < n; i++) {
        const action = this.choose(logits, mask, i, a, temperature, epsilon, probs);
        const traj = perTraj[active[i]!]!;
        for (let j = 0; j < d; j++) traj.states.push(current[i * d + j]!);
        traj.actions.push(action);
        if (action !== env.exitAction) {
          moving.push(i);
          moveActions.push(action);
        }
      }
      const m = moving.length;
      const from = new Int32Array(m * d);
      for (let k = 0; k < m; k++)
        from.set(current.subarray(moving[k]! * d, (moving[k]! + 1) * d), k * d);
      const next = new Int32Array(m * d);
      if (m > 0) env.step(from, Int32Array.from(moveActions), m, next);
      active = Int32Array.from(moving, (i) => active[i]!);
      current = next;
    }
    return this.assemble(perTraj);
  }

  private choose(
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
    let u = this.rng.next();
    let last = -1;
    for (let k = 0; k < a; k++) {
      if (!mask[i * a + k]) continue;
      last = k;
      u -= probs[k]!;
      if (u < 0) return k;
    }
    if (last < 0) {
      throw new GfnInternalError('invalid-action', `${this.env.name}: a state allows no action`);
    }
    return last;
  }

  private async assemble(
    perTraj: { states: number[]; actions: number[] }[],
  ): Promise<Trajectories> {
    const env = this.env;
    const d = env.stateDim;
    const starts = new Int32Array(perTraj.length + 1);
    perTraj.forEach((t, b) => (starts[b + 1] = starts[b]! + t.actions.length));
    const total = starts[perTraj.length]!;
    const states = new Int32Array(total * d);
    const actions = new Int32Array(total);
    perTraj.forEach((t, b) => {
      states.set(t.states, starts[b]! * d);
      actions.set(t.actions, starts[b]!);
    });
    const partial = new Trajectories(env, states, actions, starts, new Float64Array(0));
    const terminal = partial.terminalStates();
    const logRewards = await checkedLogReward(env, terminal, perTraj.length);
    return new Trajectories(env, states, actions, starts, logRewards);
  }
}
