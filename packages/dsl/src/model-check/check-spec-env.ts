import { type Parents, Rng } from '@gflownet/core';
import { describeReward } from '@gflownet/core/env';
import { logSumExp } from '@gflownet/core/metrics';
import { SpecRuntimeError } from '../codegen/instantiate-spec.js';
import { longestPath } from './graph.js';
import type { SpecEnv } from '../runtime/spec-env.js';

export interface CheckOptions {
  /** Explore exhaustively up to this many states; beyond it, fall back to random walks. */
  limit: number;
  /** Random walks when the space is too large to explore. */
  walks: number;
  seed: number;
  /** Stop collecting violations of one code after this many. */
  maxPerCode: number;
}

export const CHECK_DEFAULTS: CheckOptions = {
  limit: 200_000,
  walks: 2_000,
  seed: 0,
  maxPerCode: 5,
};

export interface Violation {
  code: string;
  message: string;
  /** The example state, described by field. */
  state: string;
}

export interface CheckReport {
  exhaustive: boolean;
  states: number;
  terminalStates: number;
  /** Transitions of the longest trajectory, the exit included (exhaustive runs only). */
  longestTrajectory: number | null;
  logZ: number | null;
  walks: number;
  /** The violations shown: at most `maxPerCode` of each code. */
  violations: Violation[];
  /** How many violations were found in all, per code (C507 included). */
  violationCounts: Record<string, number>;
}

/**
 * Model-checks a compiled spec: explores the reachable space (every state when it is small,
 * random walks otherwise) and reports each violation with an example state: parent rules that
 * disagree with the forward actions (C501 missing, C502 extra), cycles (C503), states outside
 * the schema (C504), non-terminal dead ends (C505), rewards that are not positive and finite (C506).
 */
export async function checkSpecEnv(
  env: SpecEnv,
  options: Partial<CheckOptions> = {},
): Promise<CheckReport> {
  // Options left undefined keep their defaults (a spread would let them replace the defaults).
  const o = { ...CHECK_DEFAULTS };
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined) (o as Record<string, number>)[k] = v;
  }
  return new Checker(env, o).run();
}

class Checker {
  private readonly violations: Violation[] = [];
  private readonly counts = new Map<string, number>();
  private readonly d: number;
  private readonly a: number;
  private readonly mask: Uint8Array;
  private readonly one = new Int32Array(1);

  constructor(
    private readonly env: SpecEnv,
    private readonly o: CheckOptions,
  ) {
    this.d = env.stateDim;
    this.a = env.numActions;
    this.mask = new Uint8Array(this.a);
  }

  private violate(code: string, message: string, state: Int32Array): void {
    const n = this.counts.get(code) ?? 0;
    this.counts.set(code, n + 1);
    if (n < this.o.maxPerCode)
      this.violations.push({ code, message, state: this.env.describe(state) });
  }

  /** Checks one state and returns its children (non-exit) with the actions leading to them. */
  private expand(
    s: Int32Array,
  ): { children: Int32Array[]; actions: number[]; canExit: boolean } | null {
    const env = this.env;
    const why = env.schemaViolation(s);
    if (why) {
      this.violate('C504', `state outside the schema: ${why}`, s);
      return null;
    }
    env.forwardMask(s, 1, this.mask);
    const canExit = this.mask[env.exitAction] === 1;
    const children: Int32Array[] = [];
    const actions: number[] = [];
    for (let act = 0; act < this.a; act++) {
      if (!this.mask[act] || act === env.exitAction) continue;
      const child = new Int32Array(this.d);
      this.one[0] = act;
      try {
        env.step(s, this.one, 1, child);
      } catch (err) {
        if (!(err instanceof SpecRuntimeError)) throw err;
        this.violate('C504', `${env.actionName(act)} cannot be applied: ${err.detail}`, s);
        continue;
      }
      children.push(child);
      actions.push(act);
    }
    if (!canExit && children.length === 0) {
      this.violate('C505', 'dead end: no action is allowed and the state is not terminal', s);
    }
    for (let j = 0; j < children.length; j++) this.checkParentOf(s, actions[j]!, children[j]!);
    return { children, actions, canExit };
  }

  /** The parents the rules give, or null (and a C502) when a rule cannot be applied. */
  private parentsOf(state: Int32Array): Parents | null {
    try {
      return this.env.parents(state);
    } catch (err) {
      if (!(err instanceof SpecRuntimeError)) throw err;
      this.violate('C502', `a parent rule cannot be applied: ${err.detail}`, state);
      return null;
    }
  }

  /** The parent rules of `child` must list (parent, action), and only real forward edges. */
  private checkParentOf(parent: Int32Array, action: number, child: Int32Array): void {
    const env = this.env;
    if (env.schemaViolation(child)) return;
    const parents = this.parentsOf(child);
    if (!parents) return;
    const d = this.d;
    let found = false;
    for (let j = 0; j < parents.actions.length; j++) {
      const p = parents.states.subarray(j * d, (j + 1) * d);
      if (parents.actions[j] === action && sameState(p, parent)) found = true;
    }
    if (!found) {
      this.violate(
        'C501',
        `missing parent: ${env.actionName(action)} leads here from ${env.describe(parent)}, but no parent rule gives it`,
        child,
      );
    }
  }

  /** Every parent a rule gives must reach the state with its forward action. */
  private checkParentsAreReal(state: Int32Array): void {
    const env = this.env;
    const parents = this.parentsOf(state);
    if (!parents) return;
    const d = this.d;
    const mask = new Uint8Array(this.a);
    const child = new Int32Array(d);
    for (let j = 0; j < parents.actions.length; j++) {
      const p = parents.states.subarray(j * d, (j + 1) * d);
      const act = parents.actions[j]!;
      const why = env.schemaViolation(p);
      let ok = why === null;
      if (ok) {
        env.forwardMask(p, 1, mask);
        ok = mask[act] === 1 && !env.isTerminal(p);
        if (ok) {
          this.one[0] = act;
          try {
            env.step(p, this.one, 1, child);
            ok = sameState(child, state);
          } catch {
            ok = false;
          }
        }
      }
      if (!ok) {
        this.violate(
          'C502',
          `extra parent: the parent rule for ${env.actionName(act)} gives ${env.describe(p)}, ` +
            `from which ${env.actionName(act)} does not lead here${why ? ` (${why})` : ''}`,
          state,
        );
      }
    }
  }

  private async checkReward(states: Int32Array[]): Promise<number[]> {
    const env = this.env;
    const out: number[] = [];
    for (let start = 0; start < states.length; start += 4096) {
      const chunk = states.slice(start, start + 4096);
      const batch = new Int32Array(chunk.length * this.d);
      chunk.forEach((s, i) => batch.set(s, i * this.d));
      const logR = await env.logReward(batch, chunk.length);
      chunk.forEach((s, i) => {
        const v = logR[i]!;
        if (!Number.isFinite(v)) {
          this.violate(
            'C506',
            `the reward is ${describeReward(env, s, v)}; it must be positive and finite`,
            s,
          );
        } else out.push(v);
      });
    }
    return out;
  }

  async run(): Promise<CheckReport> {
    const env = this.env;
    const s0 = env.initialState.slice();
    const back = new Uint8Array(env.numBackwardActions);
    env.backwardMask(s0, 1, back);
    const first = back.indexOf(1);
    if (first >= 0) {
      this.violate(
        'C502',
        `extra parent: ${env.backwardActionName(first)} applies to the initial state`,
        s0,
      );
    }
    const index = new Map<string, number>([[key(s0), 0]]);
    const states: Int32Array[] = [s0];
    const edges: number[][] = [];
    const terminal: Int32Array[] = [];
    let exhaustive = true;
    for (let k = 0; k < states.length; k++) {
      if (states.length > this.o.limit) {
        exhaustive = false;
        break;
      }
      const s = states[k]!;
      if (k > 0) this.checkParentsAreReal(s);
      const r = this.expand(s);
      const out: number[] = [];
      edges.push(out);
      if (!r) continue;
      if (r.canExit) terminal.push(s);
      for (const c of r.children) {
        const ck = key(c);
        let id = index.get(ck);
        if (id === undefined) {
          id = states.length;
          index.set(ck, id);
          states.push(c);
        }
        out.push(id);
      }
    }
    if (!exhaustive) return this.randomWalks(index.size);

    const logRewards = await this.checkReward(terminal);
    const longest = this.longestPath(states, edges);
    return {
      exhaustive: true,
      states: states.length,
      terminalStates: terminal.length,
      longestTrajectory: longest === null ? null : longest + 1,
      // No partition function for a space with a cycle: its trajectories are unbounded.
      logZ:
        longest !== null && logRewards.length > 0 && logRewards.length === terminal.length
          ? logSumExp(logRewards)
          : null,
      walks: 0,
      violations: this.sorted(),
      violationCounts: Object.fromEntries(this.counts),
    };
  }

  /** The longest path, or null after reporting a cycle (C503). */
  private longestPath(states: Int32Array[], edges: number[][]): number | null {
    const r = longestPath(edges);
    if ('longest' in r) return r.longest;
    this.violate('C503', 'cycle: this state can be reached again from itself', states[r.cycleAt]!);
    return null;
  }

  private async randomWalks(explored: number): Promise<CheckReport> {
    const env = this.env;
    const rng = new Rng(this.o.seed);
    const seen = new Set<string>();
    const terminalSeen = new Map<string, Int32Array>();
    const cap = Math.min(env.maxTrajectoryLength, 100_000);
    for (let w = 0; w < this.o.walks; w++) {
      let s: Int32Array = env.initialState.slice();
      const onPath = new Set<string>([key(s)]);
      for (let t = 0; t <= cap; t++) {
        const k = key(s);
        const first = !seen.has(k);
        seen.add(k);
        if (first && t > 0) this.checkParentsAreReal(s);
        const r = this.expand(s);
        if (!r) break;
        if (r.canExit) terminalSeen.set(k, s);
        const choices = r.children.length + (r.canExit ? 1 : 0);
        if (choices === 0) break;
        const pick = rng.int(choices);
        if (pick >= r.children.length) break;
        if (t === cap) {
          this.violate('C508', `a random walk did not terminate within ${cap} steps`, s);
          break;
        }
        s = r.children[pick]!;
        const ck = key(s);
        if (onPath.has(ck)) {
          this.violate('C503', 'cycle: a walk came back to this state', s);
          break;
        }
        onPath.add(ck);
      }
    }
    await this.checkReward([...terminalSeen.values()]);
    if (seen.size === 0) {
      this.violate('C509', 'no state was checked (zero random walks)', env.initialState);
    }
    this.violate(
      'C507',
      `more than ${this.o.limit} reachable states: checked ${this.o.walks} random walks instead ` +
        `(${explored} states explored first); raise --limit for an exhaustive check`,
      env.initialState,
    );
    return {
      exhaustive: false,
      states: seen.size,
      terminalStates: terminalSeen.size,
      longestTrajectory: null,
      logZ: null,
      walks: this.o.walks,
      violations: this.sorted(),
      violationCounts: Object.fromEntries(this.counts),
    };
  }

  private sorted(): Violation[] {
    return this.violations.sort((x, y) => x.code.localeCompare(y.code));
  }
}

function key(s: Int32Array): string {
  return s.join(',');
}

function sameState(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The report as `gfn check` prints it. C507 is a note, not a failure. */
export function formatCheckReport(r: CheckReport, file: string): string {
  const lines = [
    `${file}: ${r.exhaustive ? 'explored every reachable state' : `${r.walks} random walks`}`,
    `  states: ${r.states}${r.exhaustive ? '' : ' (seen)'}`,
    `  terminal states: ${r.terminalStates}`,
  ];
  if (r.longestTrajectory !== null)
    lines.push(`  longest trajectory: ${r.longestTrajectory} transitions (exit included)`);
  if (r.logZ !== null)
    lines.push(`  partition function: Z = ${fmt(Math.exp(r.logZ))} (log Z = ${r.logZ.toFixed(4)})`);
  const failures = r.violations.filter((v) => v.code !== 'C507');
  for (const v of r.violations)
    lines.push(
      `${v.code === 'C507' ? 'note' : 'error'} ${v.code}: ${v.message}\n    at state ${v.state}`,
    );
  const found = Object.entries(r.violationCounts)
    .filter(([code]) => code !== 'C507')
    .reduce((sum, [, n]) => sum + n, 0);
  lines.push(
    found === 0
      ? 'ok: no violations'
      : `${found} violation(s)${found > failures.length ? ` (${failures.length} shown)` : ''}`,
  );
  return lines.join('\n');
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3 ? x.toExponential(4) : x.toFixed(4);
}

export function checkFailed(r: CheckReport): boolean {
  return r.violations.some((v) => v.code !== 'C507');
}
