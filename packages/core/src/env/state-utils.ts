import { GfnInternalError, UserError } from '../errors.js';
import type { DiscreteEnv } from './env.js';

/** A string key for one state: the env's canonical key when it has one, else the raw ints. */
export function stateKey(env: DiscreteEnv, states: Int32Array, i = 0): string {
  const row = states.subarray(i * env.stateDim, (i + 1) * env.stateDim);
  return env.canonicalKey ? env.canonicalKey(row) : row.join(',');
}

export function formatState(env: DiscreteEnv, states: Int32Array, i = 0): string {
  return `[${Array.from(states.subarray(i * env.stateDim, (i + 1) * env.stateDim)).join(', ')}]`;
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
      const r = Math.exp(v);
      throw new UserError(
        `env '${env.name}': the reward of state ${formatState(env, states, i)} is ${r} ` +
          `(log-reward ${v}); rewards must be positive and finite`,
      );
    }
  }
  return out;
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
