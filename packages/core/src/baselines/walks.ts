import type { DiscreteEnv } from '../env/env.js';
import { EnvContractError } from '../errors.js';
import { formatState } from '../env/state-utils.js';
import type { Rng } from '../util/rng.js';

/** A walk with uniformly chosen actions: where it ended, its log-probability and its length. */
export interface UniformWalk {
  state: Int32Array;
  /** The states passed through, the start first and `state` last. */
  path: Int32Array[];
  /** log of the product of 1 / (allowed actions) over the choices made. */
  logProb: number;
  /** Non-exit transitions taken. */
  steps: number;
}

/** The allowed entries of a mask row, as indices. */
function allowed(mask: Uint8Array): number[] {
  const out: number[] = [];
  for (let k = 0; k < mask.length; k++) if (mask[k]) out.push(k);
  return out;
}

/**
 * From `start`, takes uniformly chosen forward actions until the exit is chosen: the uniform
 * policy of the random baseline and of MCMC's proposals. The exit's choice counts in logProb.
 */
export function uniformRollout(env: DiscreteEnv, start: Int32Array, rng: Rng): UniformWalk {
  const mask = new Uint8Array(env.numActions);
  const one = new Int32Array(1);
  let state = start.slice();
  const path = [state];
  let logProb = 0;
  let steps = 0;
  for (;;) {
    env.forwardMask(state, 1, mask);
    const choices = allowed(mask);
    if (choices.length === 0) {
      throw new EnvContractError(
        env.name,
        `state ${formatState(env, state)} allows no action, not even the exit (a dead end)`,
      );
    }
    const a = choices[rng.int(choices.length)]!;
    logProb -= Math.log(choices.length);
    if (a === env.exitAction) return { state, path, logProb, steps };
    if (steps >= env.maxTrajectoryLength) {
      throw new EnvContractError(env.name, 'a uniform walk did not end: the actions form a cycle');
    }
    one[0] = a;
    const next = new Int32Array(env.stateDim);
    env.step(state, one, 1, next);
    state = next;
    path.push(state);
    steps += 1;
  }
}

/** log P_F of following `path` (s -> ... -> x, then the exit) with the uniform forward policy. */
export function uniformForwardLogProb(env: DiscreteEnv, path: readonly Int32Array[]): number {
  const mask = new Uint8Array(env.numActions);
  let logProb = 0;
  for (const s of path) {
    env.forwardMask(s, 1, mask);
    logProb -= Math.log(allowed(mask).length);
  }
  return logProb;
}

/**
 * Up to `k` uniformly chosen backward steps from `start`, stopping early at the initial state.
 * Returns the states passed through, `start` first, and the log-probability of the choices.
 */
export function uniformBackwardWalk(
  env: DiscreteEnv,
  start: Int32Array,
  k: number,
  rng: Rng,
): { path: Int32Array[]; logProb: number } {
  const mask = new Uint8Array(env.numBackwardActions);
  const one = new Int32Array(1);
  const path = [start.slice()];
  let logProb = 0;
  for (let t = 0; t < k; t++) {
    const s = path[path.length - 1]!;
    if (isInitial(env, s)) break;
    env.backwardMask(s, 1, mask);
    const choices = allowed(mask);
    if (choices.length === 0) {
      throw new EnvContractError(
        env.name,
        `state ${formatState(env, s)} has no parent, though it is not the initial state`,
      );
    }
    one[0] = choices[rng.int(choices.length)]!;
    logProb -= Math.log(choices.length);
    const parent = new Int32Array(env.stateDim);
    env.backwardStep(s, one, 1, parent);
    path.push(parent);
  }
  return { path, logProb };
}

/** log P_B of walking back along `path` (x -> ... -> s) with the uniform backward policy. */
export function uniformBackwardLogProb(env: DiscreteEnv, path: readonly Int32Array[]): number {
  const mask = new Uint8Array(env.numBackwardActions);
  let logProb = 0;
  for (let t = 0; t + 1 < path.length; t++) {
    env.backwardMask(path[t]!, 1, mask);
    logProb -= Math.log(allowed(mask).length);
  }
  return logProb;
}

export function isInitial(env: DiscreteEnv, s: Int32Array): boolean {
  const s0 = env.initialState;
  for (let j = 0; j < env.stateDim; j++) if (s[j] !== s0[j]) return false;
  return true;
}
