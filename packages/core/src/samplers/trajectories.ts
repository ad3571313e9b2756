import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward } from '../env/state-utils.js';

/**
 * A batch of complete trajectories, stored transition by transition. Trajectory b owns rows
 * starts[b] .. starts[b+1]-1; row i holds the state an action was taken in and that action; the
 * last row of each trajectory is its exit action, so its state is the terminating object x, and
 * the state after any other row i is the state of row i+1.
 */
export class Trajectories {
  constructor(
    readonly env: DiscreteEnv,
    /** [N * stateDim] */
    readonly states: Int32Array,
    /** [N] */
    readonly actions: Int32Array,
    /** [B + 1] row offsets */
    readonly starts: Int32Array,
    /** [B] log R of each terminating state */
    readonly logRewards: Float64Array,
  ) {}

  get count(): number {
    return this.starts.length - 1;
  }

  get numTransitions(): number {
    return this.actions.length;
  }

  /** Row of the exit transition of trajectory b. */
  exitRow(b: number): number {
    return this.starts[b + 1]! - 1;
  }

  /** The terminating states, [B * stateDim]. */
  terminalStates(): Int32Array {
    const d = this.env.stateDim;
    const out = new Int32Array(this.count * d);
    for (let b = 0; b < this.count; b++) {
      const r = this.exitRow(b);
      out.set(this.states.subarray(r * d, (r + 1) * d), b * d);
    }
    return out;
  }
}

/** One trajectory under construction: its states (flat, stateDim each) and actions, in order. */
export interface Segment {
  states: number[];
  actions: number[];
}

/**
 * Packs segments (each ending with the exit action) into a Trajectories batch. Log-rewards of
 * the terminating states are computed (and checked) unless given.
 */
export async function assembleTrajectories(
  env: DiscreteEnv,
  segments: readonly Segment[],
  logRewards?: Float64Array,
): Promise<Trajectories> {
  const d = env.stateDim;
  const starts = new Int32Array(segments.length + 1);
  segments.forEach((t, b) => (starts[b + 1] = starts[b]! + t.actions.length));
  const total = starts[segments.length]!;
  const states = new Int32Array(total * d);
  const actions = new Int32Array(total);
  segments.forEach((t, b) => {
    states.set(t.states, starts[b]! * d);
    actions.set(t.actions, starts[b]!);
  });
  if (logRewards) return new Trajectories(env, states, actions, starts, logRewards);
  const partial = new Trajectories(env, states, actions, starts, new Float64Array(0));
  const rewards = await checkedLogReward(env, partial.terminalStates(), segments.length);
  return new Trajectories(env, states, actions, starts, rewards);
}

/** Trajectories of several batches, one after the other. */
export function concatTrajectories(env: DiscreteEnv, parts: readonly Trajectories[]): Trajectories {
  if (parts.length === 1) return parts[0]!;
  const d = env.stateDim;
  const count = parts.reduce((s, p) => s + p.count, 0);
  const total = parts.reduce((s, p) => s + p.numTransitions, 0);
  const states = new Int32Array(total * d);
  const actions = new Int32Array(total);
  const starts = new Int32Array(count + 1);
  const logRewards = new Float64Array(count);
  let rows = 0;
  let b = 0;
  for (const p of parts) {
    states.set(p.states, rows * d);
    actions.set(p.actions, rows);
    for (let t = 0; t < p.count; t++) starts[b + t + 1] = rows + p.starts[t + 1]!;
    logRewards.set(p.logRewards, b);
    rows += p.numTransitions;
    b += p.count;
  }
  return new Trajectories(env, states, actions, starts, logRewards);
}

/** Trajectory b of a batch as a segment (for buffers that keep trajectories). */
export function segmentOf(batch: Trajectories, b: number): Segment {
  const d = batch.env.stateDim;
  const s = batch.starts[b]!;
  const e = batch.starts[b + 1]!;
  return {
    states: Array.from(batch.states.subarray(s * d, e * d)),
    actions: Array.from(batch.actions.subarray(s, e)),
  };
}

/** The trajectories `keep` of a batch (in that order), with new log-rewards for them. */
export function selectTrajectories(
  batch: Trajectories,
  keep: readonly number[],
  logRewards: Float64Array,
): Trajectories {
  const d = batch.env.stateDim;
  const starts = new Int32Array(keep.length + 1);
  keep.forEach((b, i) => (starts[i + 1] = starts[i]! + batch.starts[b + 1]! - batch.starts[b]!));
  const rows = starts[keep.length]!;
  const states = new Int32Array(rows * d);
  const actions = new Int32Array(rows);
  keep.forEach((b, i) => {
    const s = batch.starts[b]!;
    const e = batch.starts[b + 1]!;
    states.set(batch.states.subarray(s * d, e * d), starts[i]! * d);
    actions.set(batch.actions.subarray(s, e), starts[i]!);
  });
  return new Trajectories(batch.env, states, actions, starts, logRewards);
}
