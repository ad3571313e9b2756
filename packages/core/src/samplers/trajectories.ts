import type { DiscreteEnv } from '../env/env.js';

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
