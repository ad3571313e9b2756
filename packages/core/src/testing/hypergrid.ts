import type { DiscreteEnv, Parents } from '../env/env.js';

export interface HypergridOptions {
  ndim: number;
  height: number;
  r0: number;
  r1: number;
  r2: number;
}

export const HYPERGRID_DEFAULTS: HypergridOptions = {
  ndim: 2,
  height: 8,
  r0: 0.1,
  r1: 0.5,
  r2: 2.0,
};

/** Spaces up to this many states are enumerated for exact metrics. */
const ENUMERATION_LIMIT = 300_000;

/**
 * The hypergrid of Bengio et al. (2021), section 4.1, hand-written: the core's test env (small,
 * enumerable, with every optional capability) and the oracle that the spec-compiled hypergrid is
 * tested against (the hypergrid package registers it as `hypergrid-ts`).
 *
 * A state is a point x in {0..H-1}^n, starting at the origin; action d increments coordinate d,
 * action n exits. Every state can terminate, with
 *
 *   R(x) = R0 + R1 * prod_d [0.25 < |x_d/(H-1) - 0.5|] + R2 * prod_d [0.3 < |x_d/(H-1) - 0.5| < 0.4]
 *
 * so the reward has 2^n modes near the corners, separated by low-reward regions (R0).
 */
export class HypergridEnv implements DiscreteEnv {
  readonly name = 'hypergrid';
  readonly stateDim: number;
  readonly numActions: number;
  readonly exitAction: number;
  readonly numBackwardActions: number;
  readonly featureDim: number;
  readonly maxTrajectoryLength: number;
  readonly initialState: Int32Array;
  readonly enumerable: boolean;
  readonly numModes: number;
  readonly everyStateTerminates = true;
  readonly options: HypergridOptions;
  readonly gridShape: readonly number[];

  constructor(options: Partial<HypergridOptions> = {}) {
    const o = { ...HYPERGRID_DEFAULTS, ...options };
    this.options = o;
    this.stateDim = o.ndim;
    this.numActions = o.ndim + 1;
    this.exitAction = o.ndim;
    this.numBackwardActions = o.ndim;
    this.featureDim = o.ndim * o.height;
    this.maxTrajectoryLength = o.ndim * (o.height - 1) + 1;
    this.initialState = new Int32Array(o.ndim);
    this.enumerable = o.height ** o.ndim <= ENUMERATION_LIMIT;
    this.numModes = 2 ** o.ndim;
    this.gridShape = new Array<number>(o.ndim).fill(o.height);
  }

  forwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    const { ndim, height } = this.options;
    const a = this.numActions;
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < ndim; d++) out[i * a + d] = states[i * ndim + d]! < height - 1 ? 1 : 0;
      out[i * a + ndim] = 1;
    }
  }

  backwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    const len = n * this.options.ndim;
    for (let k = 0; k < len; k++) out[k] = states[k]! > 0 ? 1 : 0;
  }

  step(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    const ndim = this.options.ndim;
    out.set(states.subarray(0, n * ndim));
    for (let i = 0; i < n; i++) out[i * ndim + actions[i]!]! += 1;
  }

  backwardStep(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    const ndim = this.options.ndim;
    out.set(states.subarray(0, n * ndim));
    for (let i = 0; i < n; i++) out[i * ndim + backActions[i]!]! -= 1;
  }

  backwardActionOf(_states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    out.set(actions.subarray(0, n));
  }

  forwardActionOf(_states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    out.set(backActions.subarray(0, n));
  }

  /**
   * A fixed backward policy (`--backward env`): step back along coordinate d with probability
   * proportional to x_d, so paths back to the origin shrink the largest coordinates first.
   */
  fixedBackwardLogProbs(states: Int32Array, n: number, out: Float32Array): void {
    const ndim = this.options.ndim;
    for (let i = 0; i < n; i++) {
      let total = 0;
      for (let d = 0; d < ndim; d++) total += states[i * ndim + d]!;
      for (let d = 0; d < ndim; d++) {
        const x = states[i * ndim + d]!;
        out[i * ndim + d] = x > 0 ? Math.log(x / total) : -Infinity;
      }
    }
  }

  logReward(states: Int32Array, n: number): Float64Array {
    const { ndim, height, r0, r1, r2 } = this.options;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let outer = 1;
      let band = 1;
      for (let d = 0; d < ndim; d++) {
        const u = Math.abs(states[i * ndim + d]! / (height - 1) - 0.5);
        if (!(u > 0.25)) outer = 0;
        if (!(u > 0.3 && u < 0.4)) band = 0;
      }
      out[i] = Math.log(r0 + r1 * outer + r2 * band);
    }
    return out;
  }

  /** One-hot of each coordinate, concatenated: ndim * height floats. */
  featurize(states: Int32Array, n: number, out: Float32Array): void {
    const { ndim, height } = this.options;
    out.fill(0, 0, n * ndim * height);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < ndim; d++)
        out[i * ndim * height + d * height + states[i * ndim + d]!] = 1;
    }
  }

  parents(state: Int32Array): Parents {
    const ndim = this.options.ndim;
    let k = 0;
    for (let d = 0; d < ndim; d++) if (state[d]! > 0) k++;
    const states = new Int32Array(k * ndim);
    const actions = new Int32Array(k);
    let j = 0;
    for (let d = 0; d < ndim; d++) {
      if (state[d]! === 0) continue;
      states.set(state.subarray(0, ndim), j * ndim);
      states[j * ndim + d]! -= 1;
      actions[j] = d;
      j++;
    }
    return { states, actions };
  }

  /** The corner region of a high-reward state: one bit per coordinate (low or high side). */
  modeOf(state: Int32Array): string | null {
    const { ndim, height } = this.options;
    let key = '';
    for (let d = 0; d < ndim; d++) {
      const v = state[d]! / (height - 1) - 0.5;
      const u = Math.abs(v);
      if (!(u > 0.3 && u < 0.4)) return null;
      key += v > 0 ? '1' : '0';
    }
    return key;
  }
}
