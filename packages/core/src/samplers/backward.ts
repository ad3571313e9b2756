import type { DiscreteEnv } from '../env/env.js';
import { formatState, forwardActionsOf, sameRow, selectRows } from '../env/state-utils.js';
import { EnvContractError } from '../errors.js';
import { type BackwardPolicy, backwardProbabilities } from '../policies/backward.js';
import type { PolicyModel } from '../policies/model.js';
import type { Rng } from '../util/rng.js';
import { sampleIndex } from './on-policy.js';
import { type Segment, type Trajectories, assembleTrajectories } from './trajectories.js';

/**
 * Backward sampling: from given terminating states, walks to s0 with the backward policy
 * (uniform, env-given or learned) and returns the complete forward trajectories s0 -> ... -> x ->
 * exit. This is how terminal-state replay buffers and local search rebuild trajectories for
 * objectives that need them.
 */
export class BackwardSampler {
  constructor(
    private readonly env: DiscreteEnv,
    private readonly policy: BackwardPolicy,
    private readonly rng: Rng,
  ) {}

  /** Forward-ordered trajectories ending in each of n terminal states (their log R known). */
  async sample(
    model: PolicyModel,
    terminals: Int32Array,
    n: number,
    logRewards: Float64Array,
  ): Promise<Trajectories> {
    const segments = this.paths(model, terminals, n);
    for (const seg of segments) seg.actions.push(this.env.exitAction);
    return assembleTrajectories(this.env, segments, logRewards);
  }

  /** For each of n states, a path from s0 to it (the state last, no exit action yet). */
  paths(model: PolicyModel, targets: Int32Array, n: number): Segment[] {
    const env = this.env;
    const d = env.stateDim;
    const ab = env.numBackwardActions;
    const s0 = env.initialState;
    // Per target, the states visited walking back (target first) and the backward actions taken.
    const visited: number[][] = Array.from({ length: n }, (_, b) =>
      Array.from(targets.subarray(b * d, (b + 1) * d)),
    );
    const backActs: number[][] = Array.from({ length: n }, () => []);
    let current: Int32Array = targets.slice(0, n * d);
    let active = Int32Array.from({ length: n }, (_, b) => b);
    const keep = (states: Int32Array, i: number) => !sameRow(states, i, s0, 0, d);
    active = active.filter((_, i) => keep(current, i));
    current = selectRows(current, active, d);
    let steps = 0;
    while (active.length > 0) {
      if (++steps > env.maxTrajectoryLength) {
        throw new EnvContractError(
          env.name,
          `walking back from ${formatState(env, current, 0)} did not reach the initial state ` +
            `within ${env.maxTrajectoryLength} steps: the parent rules form a cycle`,
        );
      }
      const m = active.length;
      const probs = backwardProbabilities(model, this.policy, current, m);
      const mask = new Uint8Array(m * ab);
      env.backwardMask(current, m, mask);
      const chosen = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        chosen[i] = sampleIndex(this.rng, probs, mask, i * ab, ab, i * ab);
        if (chosen[i]! < 0) {
          throw new EnvContractError(
            env.name,
            `state ${formatState(env, current, i)} has no parent, though it is not the initial state`,
          );
        }
      }
      const next = new Int32Array(m * d);
      env.backwardStep(current, chosen, m, next);
      const still: number[] = [];
      for (let i = 0; i < m; i++) {
        const b = active[i]!;
        backActs[b]!.push(chosen[i]!);
        for (let j = 0; j < d; j++) visited[b]!.push(next[i * d + j]!);
        if (keep(next, i)) still.push(i);
      }
      active = Int32Array.from(still, (i) => active[i]!);
      current = selectRows(next, still, d);
    }
    return visited.map((states, b) => this.forwardSegment(states, backActs[b]!));
  }

  /** Reverses a backward walk (child first) into forward order with forward actions. */
  private forwardSegment(walk: number[], backActs: number[]): Segment {
    const d = this.env.stateDim;
    const k = backActs.length;
    const children = Int32Array.from(walk.slice(0, k * d));
    const parents = Int32Array.from(walk.slice(d, (k + 1) * d));
    const forward = forwardActionsOf(this.env, parents, Int32Array.from(backActs), children, k);
    const states: number[] = [];
    const actions: number[] = [];
    for (let t = k; t >= 0; t--) {
      states.push(...walk.slice(t * d, (t + 1) * d));
      if (t > 0) actions.push(forward[t - 1]!);
    }
    return { states, actions };
  }
}
