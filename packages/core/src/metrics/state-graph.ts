import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward, stateKey } from '../env/state-utils.js';
import { EnvContractError, UserError } from '../errors.js';

/**
 * The reachable DAG of a small env: every state (merged by canonical key), its forward edges, a
 * topological order and the log-reward of every state that can exit.
 */
export interface StateGraph {
  env: DiscreteEnv;
  size: number;
  states: Int32Array; // [S * D], representative vector of each state
  index: Map<string, number>;
  /** Edges of state s are edgeStart[s] .. edgeStart[s+1]-1 (non-exit actions). */
  edgeStart: Int32Array; // [S + 1]
  edgeAction: Int32Array; // [E]
  edgeChild: Int32Array; // [E]
  canExit: Uint8Array; // [S]
  /** Topological order: every edge goes from an earlier to a later entry. */
  order: Int32Array; // [S]
  logRewards: Float64Array; // [S], NaN where the state cannot exit
  logZ: number;
  numTerminal: number;
}

export const DEFAULT_STATE_LIMIT = 300_000;

export async function buildStateGraph(
  env: DiscreteEnv,
  limit = DEFAULT_STATE_LIMIT,
): Promise<StateGraph> {
  const d = env.stateDim;
  const a = env.numActions;
  const index = new Map<string, number>();
  const vectors: Int32Array[] = [];
  const add = (v: Int32Array): number => {
    const key = stateKey(env, v);
    let id = index.get(key);
    if (id === undefined) {
      id = vectors.length;
      if (id >= limit) {
        throw new UserError(
          `env '${env.name}' has more than ${limit} reachable states; too many to enumerate for exact metrics`,
        );
      }
      index.set(key, id);
      vectors.push(v.slice());
    }
    return id;
  };
  add(env.initialState);
  const edgesOf: number[][] = [];
  const canExit: number[] = [];
  const mask = new Uint8Array(a);
  const one = new Int32Array(1);
  const child = new Int32Array(d);
  for (let s = 0; s < vectors.length; s++) {
    const v = vectors[s]!;
    env.forwardMask(v, 1, mask);
    canExit.push(mask[env.exitAction]!);
    const edges: number[] = [];
    for (let act = 0; act < a; act++) {
      if (!mask[act] || act === env.exitAction) continue;
      one[0] = act;
      env.step(v, one, 1, child);
      edges.push(act, add(child));
    }
    edgesOf.push(edges);
  }
  const size = vectors.length;
  const edgeStart = new Int32Array(size + 1);
  for (let s = 0; s < size; s++) edgeStart[s + 1] = edgeStart[s]! + edgesOf[s]!.length / 2;
  const edgeAction = new Int32Array(edgeStart[size]!);
  const edgeChild = new Int32Array(edgeStart[size]!);
  const indegree = new Int32Array(size);
  for (let s = 0; s < size; s++) {
    const e = edgesOf[s]!;
    for (let j = 0; j < e.length; j += 2) {
      edgeAction[edgeStart[s]! + j / 2] = e[j]!;
      edgeChild[edgeStart[s]! + j / 2] = e[j + 1]!;
      indegree[e[j + 1]!]! += 1;
    }
  }
  const order = new Int32Array(size);
  let head = 0;
  let tail = 0;
  for (let s = 0; s < size; s++) if (indegree[s] === 0) order[tail++] = s;
  while (head < tail) {
    const s = order[head++]!;
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) {
      const c = edgeChild[e]!;
      if (--indegree[c]! === 0) order[tail++] = c;
    }
  }
  if (tail !== size) {
    throw new EnvContractError(env.name, 'its reachable states form a cycle');
  }
  const states = new Int32Array(size * d);
  vectors.forEach((v, s) => states.set(v, s * d));
  const exitable: number[] = [];
  for (let s = 0; s < size; s++) if (canExit[s]) exitable.push(s);
  const terminal = new Int32Array(exitable.length * d);
  exitable.forEach((s, k) => terminal.set(vectors[s]!, k * d));
  const terminalLogR = await checkedLogReward(env, terminal, exitable.length);
  const logRewards = new Float64Array(size).fill(NaN);
  exitable.forEach((s, k) => (logRewards[s] = terminalLogR[k]!));
  return {
    env,
    size,
    states,
    index,
    edgeStart,
    edgeAction,
    edgeChild,
    canExit: Uint8Array.from(canExit),
    order,
    logRewards,
    logZ: logSumExp(terminalLogR),
    numTerminal: exitable.length,
  };
}

export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}
