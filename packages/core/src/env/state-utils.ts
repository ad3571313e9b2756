import { GfnInternalError, NonFiniteError, UserError } from '../errors.js';
import type { DiscreteEnv, StateFieldValue } from './env.js';

/** A string key for one state: the env's canonical key when it has one, else the raw ints. */
export function stateKey(env: DiscreteEnv, states: Int32Array, i = 0): string {
  const row = states.subarray(i * env.stateDim, (i + 1) * env.stateDim);
  return env.canonicalKey ? env.canonicalKey(row) : row.join(',');
}

/**
 * One state for a message: by field where the env names its fields (`x=[3, 5] done=true`, as a
 * spec env does), else its ints (`[3, 5, 1]`).
 */
export function formatState(env: DiscreteEnv, states: Int32Array, i = 0): string {
  const row = states.subarray(i * env.stateDim, (i + 1) * env.stateDim);
  if (!env.stateFields) return `[${Array.from(row).join(', ')}]`;
  const show = (v: StateFieldValue): string =>
    Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);
  return Object.entries(env.stateFields(row))
    .map(([name, v]) => `${name}=${show(v)}`)
    .join(' ');
}

/** Calls the env's log-reward (sync or async) and rejects non-finite values, naming the state. */
export async function checkedLogReward(
  env: DiscreteEnv,
  states: Int32Array,
  n: number,
): Promise<Float64Array> {
  const out = await env.logReward(states, n);
  if (out.length !== n) {
    throw new GfnInternalError(
      'shape',
      `${env.name}.logReward returned ${out.length} values for ${n} states`,
    );
  }
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    if (!Number.isFinite(v)) {
      const d = env.stateDim;
      throw new NonFiniteError(
        'reward',
        `env '${env.name}': the reward of state ${formatState(env, states, i)} is ` +
          `${describeReward(env, states.subarray(i * d, (i + 1) * d), v)}; ` +
          'rewards must be positive and finite',
      );
    }
  }
  return out;
}

/** A reward whose log is not finite, told by its value when the env can give it. */
export function describeReward(env: DiscreteEnv, state: Int32Array, logReward: number): string {
  const value = env.rewardValue?.(state);
  if (value !== undefined) return String(value);
  return `${Math.exp(logReward)} (log-reward ${logReward})`;
}

/**
 * The backward action that undoes each forward action. Uses the env's own `backwardActionOf`
 * when present, else tries every allowed backward action of the child.
 */
export function backwardActionsOf(
  env: DiscreteEnv,
  parents: Int32Array,
  actions: Int32Array,
  children: Int32Array,
  n: number,
): Int32Array {
  const out = new Int32Array(n);
  if (env.backwardActionOf) {
    env.backwardActionOf(parents, actions, n, out);
    return out;
  }
  const d = env.stateDim;
  const ab = env.numBackwardActions;
  const mask = new Uint8Array(ab);
  const one = new Int32Array(1);
  const back = new Int32Array(d);
  for (let i = 0; i < n; i++) {
    const child = children.subarray(i * d, (i + 1) * d);
    env.backwardMask(child, 1, mask);
    out[i] = -1;
    for (let b = 0; b < ab && out[i] === -1; b++) {
      if (!mask[b]) continue;
      one[0] = b;
      env.backwardStep(child, one, 1, back);
      let same = true;
      for (let j = 0; j < d; j++) if (back[j] !== parents[i * d + j]) same = false;
      if (same) out[i] = b;
    }
    if (out[i] === -1) {
      throw new GfnInternalError(
        'invalid-action',
        `${env.name}: no backward action leads from ${formatState(env, child)} back to ` +
          `${formatState(env, parents, i)}`,
      );
    }
  }
  return out;
}

/**
 * The forward action that leads from each parent to its child (the inverse of backwardActionsOf).
 * Uses the env's own `forwardActionOf` when present, else tries every allowed forward action.
 */
export function forwardActionsOf(
  env: DiscreteEnv,
  parents: Int32Array,
  backActions: Int32Array,
  children: Int32Array,
  n: number,
): Int32Array {
  const out = new Int32Array(n);
  if (env.forwardActionOf) {
    env.forwardActionOf(children, backActions, n, out);
    return out;
  }
  const d = env.stateDim;
  const a = env.numActions;
  const mask = new Uint8Array(a);
  const one = new Int32Array(1);
  const next = new Int32Array(d);
  for (let i = 0; i < n; i++) {
    const parent = parents.subarray(i * d, (i + 1) * d);
    env.forwardMask(parent, 1, mask);
    out[i] = -1;
    for (let f = 0; f < a && out[i] === -1; f++) {
      if (!mask[f] || f === env.exitAction) continue;
      one[0] = f;
      env.step(parent, one, 1, next);
      if (sameRow(next, 0, children, i, d)) out[i] = f;
    }
    if (out[i] === -1) {
      throw new GfnInternalError(
        'invalid-action',
        `${env.name}: no forward action leads from ${formatState(env, parents, i)} to ` +
          `${formatState(env, children, i)}`,
      );
    }
  }
  return out;
}

/** Rows `rows` of a batch of width-d vectors, in that order, as a new batch. */
export function selectRows(states: Int32Array, rows: ArrayLike<number>, d: number): Int32Array {
  const out = new Int32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++)
    out.set(states.subarray(rows[i]! * d, (rows[i]! + 1) * d), i * d);
  return out;
}

/** True when row i of a equals row j of b (width d). */
export function sameRow(a: Int32Array, i: number, b: Int32Array, j: number, d: number): boolean {
  for (let k = 0; k < d; k++) if (a[i * d + k] !== b[j * d + k]) return false;
  return true;
}

/**
 * The env's intermediate log-reward of every state (forward-looking objectives): its own
 * `logIntermediateReward`, or its log-reward when every state terminates; null when it has none.
 */
export function intermediateLogReward(
  env: DiscreteEnv,
): ((states: Int32Array, n: number) => Promise<Float64Array>) | null {
  const fn = env.logIntermediateReward
    ? env.logIntermediateReward.bind(env)
    : env.everyStateTerminates
      ? env.logReward.bind(env)
      : null;
  if (!fn) return null;
  return async (states, n) => {
    const out = await fn(states, n);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i]!)) {
        throw new UserError(
          `env '${env.name}': the intermediate log-reward of state ${formatState(env, states, i)} ` +
            `is ${out[i]}; it must be finite`,
        );
      }
    }
    return out;
  };
}

/** The env's distance between two states, or the L1 distance of their ints. */
export function stateDistance(env: DiscreteEnv, a: Int32Array, b: Int32Array): number {
  if (env.distance) return env.distance(a, b);
  let s = 0;
  for (let k = 0; k < a.length; k++) s += Math.abs(a[k]! - b[k]!);
  return s;
}
