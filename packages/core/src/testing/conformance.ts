import type { DiscreteEnv } from '../env/env.js';
import { stateKey } from '../env/state-utils.js';
import { Rng } from '../util/rng.js';

export interface ConformanceOptions {
  /** Explore every reachable state when there are at most this many (default 5,000). */
  maxStates?: number;
  /** Otherwise, random walks from s0 (default 200). */
  walks?: number;
  seed?: number;
  /** Failures kept per check (default 3); the count of all is reported. */
  examples?: number;
}

export interface ConformanceReport {
  env: string;
  /** True when every reachable state was visited, false when random walks sampled them. */
  exhaustive: boolean;
  statesChecked: number;
  terminalStatesChecked: number;
  /** Failures by check name: how many, and the first few messages. */
  failures: Record<string, { count: number; examples: string[] }>;
}

/**
 * The env conformance suite: the contract every DiscreteEnv must keep, checked on every reachable
 * state of a small instance (breadth-first from s0) or on random walks of a large one:
 * - shapes: s0 of stateDim ints with no backward action, the exit action in range;
 * - masks against steps: every allowed forward step gives a state whose backward mask allows the
 *   step back, and that backward step returns the state (backwardActionOf and forwardActionOf
 *   agree when given);
 * - backward steps: every allowed backward action leads to a parent whose forward mask allows the
 *   step forward again;
 * - parents() (when given): every listed edge steps to the state, and its distinct parents are
 *   those of the allowed backward actions;
 * - canonical keys (when given): equal for a state and its copy through a step and back;
 * - rewards: finite log-rewards for every state where the exit action is allowed;
 * - features: featureDim finite floats;
 * - no dead ends (a state with no allowed action), trajectories no longer than
 *   maxTrajectoryLength.
 * It never throws for a broken env: it reports. `assertConformance` throws with the report.
 */
export async function checkConformance(
  env: DiscreteEnv,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const maxStates = options.maxStates ?? 5_000;
  const keep = options.examples ?? 3;
  const report: ConformanceReport = {
    env: env.name,
    exhaustive: false,
    statesChecked: 0,
    terminalStatesChecked: 0,
    failures: {},
  };
  const fail = (check: string, message: string) => {
    const f = (report.failures[check] ??= { count: 0, examples: [] });
    f.count += 1;
    if (f.examples.length < keep) f.examples.push(message);
  };
  const d = env.stateDim;
  const key = (s: Int32Array) => (env.canonicalKey ? env.canonicalKey(s) : stateKey(env, s));
  const show = (s: Int32Array) => `[${Array.from(s).join(',')}]`;

  if (env.initialState.length !== d) {
    fail('shape', `initialState has ${env.initialState.length} ints, stateDim is ${d}`);
    return report;
  }
  if (!(env.exitAction >= 0 && env.exitAction < env.numActions)) {
    fail('shape', `exitAction ${env.exitAction} is not in 0..${env.numActions - 1}`);
  }
  const s0Back = new Uint8Array(env.numBackwardActions);
  env.backwardMask(env.initialState, 1, s0Back);
  if (s0Back.some((m) => m)) fail('shape', 's0 allows a backward action');

  const states = await reachableStates(env, maxStates, options.walks ?? 200, options.seed ?? 0);
  report.exhaustive = states.exhaustive;
  const fwd = new Uint8Array(env.numActions);
  const bwd = new Uint8Array(env.numBackwardActions);
  const childBwd = new Uint8Array(env.numBackwardActions);
  const parentFwd = new Uint8Array(env.numActions);
  const one = new Int32Array(1);
  const other = new Int32Array(1);
  const child = new Int32Array(d);
  const back = new Int32Array(d);
  const features = new Float32Array(env.featureDim);
  const terminal: Int32Array[] = [];
  for (const [s, depth] of states.list) {
    report.statesChecked += 1;
    const here = key(s);
    if (depth >= env.maxTrajectoryLength) {
      fail(
        'length',
        `${show(s)} is ${depth} steps from s0; maxTrajectoryLength is ${env.maxTrajectoryLength}`,
      );
    }
    env.featurize(s, 1, features);
    if (!features.every(Number.isFinite)) fail('features', `${show(s)} has non-finite features`);
    env.forwardMask(s, 1, fwd);
    if (!fwd.some((m) => m)) fail('dead-end', `${show(s)} allows no action`);
    if (fwd[env.exitAction]) terminal.push(s);
    for (let a = 0; a < env.numActions; a++) {
      if (!fwd[a] || a === env.exitAction) continue;
      one[0] = a;
      env.step(s, one, 1, child);
      const at = `${show(s)} --${a}--> ${show(child)}`;
      env.backwardMask(child, 1, childBwd);
      const undo = backwardActionFor(env, s, one, child, childBwd);
      if (undo < 0) {
        fail('mask-step', `${at}: no allowed backward action of the child leads back`);
        continue;
      }
      if (env.forwardActionOf) {
        other[0] = undo;
        env.forwardActionOf(child, other, 1, one);
        if (one[0] !== a) fail('action-of', `${at}: forwardActionOf gives ${one[0]}, not ${a}`);
        one[0] = a;
      }
    }
    env.backwardMask(s, 1, bwd);
    const parents = new Set<string>();
    for (let b = 0; b < env.numBackwardActions; b++) {
      if (!bwd[b]) continue;
      one[0] = b;
      env.backwardStep(s, one, 1, back);
      parents.add(key(back));
      env.forwardMask(back, 1, parentFwd);
      if (!stepsTo(env, s, b, back, parentFwd, here, key)) {
        fail(
          'backward-step',
          `${show(s)} <--${b}-- ${show(back)}: no allowed forward action of the parent leads back`,
        );
      }
    }
    if (env.parents) checkParents(env, s, here, parents, key, fail, show);
  }
  report.terminalStatesChecked = terminal.length;
  if (terminal.length > 0) {
    const batch = new Int32Array(terminal.length * d);
    terminal.forEach((s, i) => batch.set(s, i * d));
    const logR = await env.logReward(batch, terminal.length);
    terminal.forEach((s, i) => {
      if (!Number.isFinite(logR[i])) fail('reward', `${show(s)} has log-reward ${logR[i]}`);
    });
  }
  return report;
}

/** Throws an Error listing every failed check of the conformance suite. */
export async function assertConformance(
  env: DiscreteEnv,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const report = await checkConformance(env, options);
  const failed = Object.entries(report.failures);
  if (report.statesChecked === 0) throw new Error(`env '${env.name}': no state was checked`);
  if (failed.length > 0) {
    const lines = failed.map(
      ([check, f]) => `  ${check}: ${f.count} failure(s), e.g.\n    ${f.examples.join('\n    ')}`,
    );
    throw new Error(
      `env '${env.name}' breaks the DiscreteEnv contract (${report.statesChecked} states checked):\n${lines.join('\n')}`,
    );
  }
  return report;
}

/** The backward action of `child` that undoes forward action `action` from `state`, or -1. */
function backwardActionFor(
  env: DiscreteEnv,
  state: Int32Array,
  action: Int32Array,
  child: Int32Array,
  childMask: Uint8Array,
): number {
  const target = stateKey(env, state);
  const back = new Int32Array(env.stateDim);
  const b = new Int32Array(1);
  if (env.backwardActionOf) {
    env.backwardActionOf(state, action, 1, b);
    if (!childMask[b[0]!]) return -1;
    env.backwardStep(child, b, 1, back);
    return stateKey(env, back) === target || sameObject(env, back, state) ? b[0]! : -1;
  }
  for (let k = 0; k < env.numBackwardActions; k++) {
    if (!childMask[k]) continue;
    b[0] = k;
    env.backwardStep(child, b, 1, back);
    if (sameObject(env, back, state)) return k;
  }
  return -1;
}

function sameObject(env: DiscreteEnv, a: Int32Array, b: Int32Array): boolean {
  return env.canonicalKey
    ? env.canonicalKey(a) === env.canonicalKey(b)
    : stateKey(env, a) === stateKey(env, b);
}

/**
 * Whether the forward step back from `parent` (reached by backward action `b` of `state`) is
 * allowed and reaches the state keyed `target`: the action forwardActionOf names when the env
 * has it, else any allowed non-exit action.
 */
function stepsTo(
  env: DiscreteEnv,
  state: Int32Array,
  b: number,
  parent: Int32Array,
  mask: Uint8Array,
  target: string,
  key: (s: Int32Array) => string,
): boolean {
  const a = new Int32Array(1);
  const out = new Int32Array(env.stateDim);
  if (env.forwardActionOf) {
    env.forwardActionOf(state, Int32Array.of(b), 1, a);
    if (!mask[a[0]!] || a[0] === env.exitAction) return false;
    env.step(parent, a, 1, out);
    return key(out) === target;
  }
  for (let k = 0; k < env.numActions; k++) {
    if (!mask[k] || k === env.exitAction) continue;
    a[0] = k;
    env.step(parent, a, 1, out);
    if (key(out) === target) return true;
  }
  return false;
}

function checkParents(
  env: DiscreteEnv,
  s: Int32Array,
  here: string,
  fromBackward: Set<string>,
  key: (s: Int32Array) => string,
  fail: (check: string, message: string) => void,
  show: (s: Int32Array) => string,
): void {
  const d = env.stateDim;
  const edges = env.parents!(s);
  const listed = new Set<string>();
  const out = new Int32Array(d);
  for (let j = 0; j < edges.actions.length; j++) {
    const p = edges.states.subarray(j * d, (j + 1) * d);
    listed.add(key(p));
    env.step(p, edges.actions.subarray(j, j + 1), 1, out);
    if (key(out) !== here) {
      fail(
        'parents',
        `${show(s)}: parent ${show(p)} with action ${edges.actions[j]} steps to ${show(out)}`,
      );
    }
  }
  const missing = [...fromBackward].filter((k) => !listed.has(k));
  const extra = [...listed].filter((k) => !fromBackward.has(k));
  if (missing.length + extra.length > 0) {
    fail(
      'parents',
      `${show(s)}: parents() lists ${listed.size} distinct parents, the backward actions reach ${fromBackward.size}`,
    );
  }
}

/**
 * The states to check with their depth from s0: all reachable ones breadth-first when there are
 * at most `maxStates`, else the states of random walks (uniform over allowed actions).
 */
async function reachableStates(
  env: DiscreteEnv,
  maxStates: number,
  walks: number,
  seed: number,
): Promise<{ list: [Int32Array, number][]; exhaustive: boolean }> {
  const d = env.stateDim;
  const key = (s: Int32Array) => (env.canonicalKey ? env.canonicalKey(s) : stateKey(env, s));
  const mask = new Uint8Array(env.numActions);
  const a = new Int32Array(1);
  const seen = new Map<string, [Int32Array, number]>([
    [key(env.initialState), [env.initialState.slice(), 0]],
  ]);
  const queue: [Int32Array, number][] = [[env.initialState.slice(), 0]];
  let exhaustive = true;
  for (let head = 0; head < queue.length; head++) {
    const [s, depth] = queue[head]!;
    env.forwardMask(s, 1, mask);
    for (let k = 0; k < env.numActions; k++) {
      if (!mask[k] || k === env.exitAction) continue;
      a[0] = k;
      const child = new Int32Array(d);
      env.step(s, a, 1, child);
      const ck = key(child);
      if (seen.has(ck)) continue;
      if (seen.size >= maxStates) {
        exhaustive = false;
        break;
      }
      seen.set(ck, [child, depth + 1]);
      queue.push([child, depth + 1]);
    }
    if (!exhaustive) break;
  }
  if (exhaustive) return { list: [...seen.values()], exhaustive };
  const rng = new Rng(seed);
  const list: [Int32Array, number][] = [];
  for (let w = 0; w < walks; w++) {
    let s = env.initialState.slice();
    for (let depth = 0; depth <= env.maxTrajectoryLength; depth++) {
      list.push([s, depth]);
      env.forwardMask(s, 1, mask);
      const allowed = [];
      for (let k = 0; k < env.numActions; k++) if (mask[k] && k !== env.exitAction) allowed.push(k);
      // Stop where the walk may exit, with a chance that keeps walks of every length.
      if (allowed.length === 0 || (mask[env.exitAction] && rng.next() < 0.5 / (1 + depth))) break;
      a[0] = allowed[Math.floor(rng.next() * allowed.length)]!;
      const child = new Int32Array(d);
      env.step(s, a, 1, child);
      s = child;
    }
  }
  return { list, exhaustive: false };
}
