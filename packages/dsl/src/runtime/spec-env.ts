import type { DiscreteEnv, Parents, StateFieldValue } from '@gflownet/core';
import { type CompiledSpec, SpecRuntimeError } from '../codegen/instantiate-spec.js';
import { longestPath } from '../model-check/graph.js';

/** Row-major flat values as nested lists of the given dimensions. */
type Nested<T> = T | Nested<T>[];

function nest<T>(flat: T[], dims: number[]): Nested<T>[] {
  if (dims.length <= 1) return flat;
  const inner = dims.slice(1).reduce((p, n) => p * n, 1);
  return Array.from({ length: dims[0]! }, (_, i) =>
    nest(flat.slice(i * inner, (i + 1) * inner), dims.slice(1)),
  );
}

/** Reachable spaces up to this many states count as enumerable (exact metrics). */
export const SPEC_ENUMERATION_LIMIT = 300_000;

/**
 * An environment compiled from a spec. The domain logic is generated code (see compile.ts); this
 * class adds what the core contract asks for around it: parents, enumeration, modes.
 */
export class SpecEnv implements DiscreteEnv {
  readonly name: string;
  readonly stateDim: number;
  readonly numActions: number;
  readonly exitAction: number;
  readonly numBackwardActions: number;
  readonly featureDim: number;
  readonly initialState: Int32Array;
  /** True when the spec's stop action has no guard: every state may terminate. */
  readonly everyStateTerminates: boolean;
  /** Set when the state is one int array ranging over 0..hi: its ints are grid coordinates. */
  readonly gridShape?: readonly number[];
  private explored: { states: number; longest: number; modes: number } | null | undefined;

  constructor(readonly compiled: CompiledSpec) {
    this.name = compiled.name;
    this.stateDim = compiled.stateDim;
    this.numActions = compiled.actions.length;
    this.exitAction = compiled.actions.length - 1;
    this.numBackwardActions = compiled.backwardActions.length;
    this.featureDim = compiled.featureDim;
    this.initialState = compiled.initialState.slice();
    this.everyStateTerminates = compiled.everyStateTerminates;
    const [only, ...rest] = compiled.fields;
    if (only && rest.length === 0 && only.kind === 'int' && only.isArray && only.lo === 0) {
      this.gridShape = new Array<number>(only.size).fill(only.hi + 1);
    }
    if (compiled.hasMode) {
      // Without `by`, every state the condition holds in is a mode of its own.
      this.modeOf = (state) => {
        const key = compiled.fns.modeKey(state, 0);
        if (Number.isNaN(key)) return null;
        return compiled.modeByKey ? String(key) : `s${state.subarray(0, this.stateDim).join(',')}`;
      };
    }
  }

  /** The state's fields by name: sequences without their unused slots, bools as booleans. */
  stateFields(state: Int32Array): Record<string, StateFieldValue> {
    const out: Record<string, StateFieldValue> = {};
    for (const f of this.compiled.fields) {
      const value = (v: number) => (f.kind === 'bool' ? v === 1 : v);
      if (f.kind === 'seq') {
        const length = state[f.offset]!;
        out[f.name] = Array.from(state.subarray(f.offset + 1, f.offset + 1 + length), value);
      } else if (f.isArray) {
        out[f.name] = nest(Array.from(state.subarray(f.offset, f.offset + f.size), value), f.dims);
      } else out[f.name] = value(state[f.offset]!);
    }
    return out;
  }

  forwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    this.compiled.fns.forwardMask(states, n, out);
  }

  backwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    this.compiled.fns.backwardMask(states, n, out);
  }

  step(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    try {
      this.compiled.fns.step(states, actions, n, out);
    } catch (err) {
      throw this.explain(err, (row) => this.actionName(actions[row]!));
    }
  }

  backwardStep(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    try {
      this.compiled.fns.backwardStep(states, backActions, n, out);
    } catch (err) {
      throw this.explain(err, (row) => this.backwardActionName(backActions[row]!));
    }
  }

  /** A rule that cannot be applied, told by the env, the rule with its arguments and the state. */
  private explain(err: unknown, rule: (row: number) => string): unknown {
    if (!(err instanceof SpecRuntimeError)) return err;
    return new SpecRuntimeError(
      err.detail,
      err.state,
      err.row,
      `env '${this.name}': ${rule(err.row)} cannot be applied in state ${this.describe(err.state)}` +
        ` (${err.detail.replace(/^[^:]*: /, '')}); the spec lets it be chosen there: add a guard, ` +
        "and run 'gfn check' on the spec, which reports every such state",
    );
  }

  logReward(states: Int32Array, n: number): Float64Array | Promise<Float64Array> {
    return this.compiled.fns.logReward(states, n);
  }

  featurize(states: Int32Array, n: number, out: Float32Array): void {
    this.compiled.fns.featurize(states, n, out);
  }

  /** Backward action i is the parent rule that undoes forward action i (compile.ts numbers both alike). */
  backwardActionOf(_states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    out.set(actions.subarray(0, n));
  }

  forwardActionOf(_states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    out.set(backActions.subarray(0, n));
  }

  parents(state: Int32Array): Parents {
    const d = this.stateDim;
    const mask = new Uint8Array(this.numBackwardActions);
    this.backwardMask(state, 1, mask);
    const allowed = [...mask.keys()].filter((b) => mask[b]);
    const states = new Int32Array(allowed.length * d);
    const one = new Int32Array(1);
    allowed.forEach((b, j) => {
      one[0] = b;
      this.backwardStep(state, one, 1, states.subarray(j * d, (j + 1) * d));
    });
    return {
      states,
      actions: Int32Array.from(allowed),
    };
  }

  isTerminal(state: Int32Array): boolean {
    return this.compiled.fns.isTerminal(state, 0);
  }

  /** The reward itself (before its log), when the spec writes R rather than log R. */
  rewardValue(state: Int32Array): number | undefined {
    return this.compiled.plainReward ? this.compiled.fns.rewardValue(state, 0) : undefined;
  }

  /** Present only when the spec declares `mode when ...`. */
  readonly modeOf?: (state: Int32Array) => string | null;

  get enumerable(): boolean {
    return this.explore() !== null;
  }

  get numModes(): number | undefined {
    const e = this.explore();
    return this.compiled.hasMode && e ? e.modes : undefined;
  }

  /** Longest trajectory (exit included) when enumerable; otherwise a bound from the schema. */
  get maxTrajectoryLength(): number {
    const e = this.explore();
    if (e) return e.longest + 1;
    let bound = 1;
    for (const f of this.compiled.fields) {
      bound *= (f.hi - f.lo + 2) ** f.size;
      if (bound > 1e6) return 1_000_000;
    }
    return bound + 1;
  }

  /** A readable name for forward action a, e.g. `inc(1)`. */
  actionName(a: number): string {
    const act = this.compiled.actions[a];
    if (!act) return `#${a}`;
    return act.args.length ? `${act.family}(${act.args.join(', ')})` : act.family;
  }

  backwardActionName(b: number): string {
    const act = this.compiled.backwardActions[b];
    if (!act) return `#${b}`;
    return `parent ${act.args.length ? `${act.family}(${act.args.join(', ')})` : act.family}`;
  }

  /** `x=[1, 2] done=false`: the state by field. */
  describe(state: Int32Array): string {
    return this.compiled.fields
      .map((f) => {
        const at = (j: number) => {
          const v = state[f.offset + (f.kind === 'seq' ? 1 : 0) + j]!;
          return f.kind === 'bool' ? String(v !== 0) : String(v);
        };
        if (f.kind === 'seq') {
          const len = state[f.offset]!;
          const items = Array.from({ length: Math.max(0, Math.min(len, f.size)) }, (_, j) => at(j));
          return `${f.name}=[${items.join(', ')}]`;
        }
        if (!f.isArray) return `${f.name}=${at(0)}`;
        const show = (v: Nested<string>): string =>
          Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);
        return `${f.name}=${show(
          nest(
            Array.from({ length: f.size }, (_, j) => at(j)),
            f.dims,
          ),
        )}`;
      })
      .join(' ');
  }

  /** Why a state is outside the schema (a value out of its range), or null. */
  schemaViolation(state: Int32Array): string | null {
    for (const f of this.compiled.fields) {
      let count = f.size;
      let start = f.offset;
      if (f.kind === 'seq') {
        const len = state[f.offset]!;
        if (len < 0 || len > f.size) return `length of '${f.name}' is ${len}, outside 0..${f.size}`;
        count = len;
        start += 1;
        for (let j = len; j < f.size; j++) {
          if (state[start + j] !== f.pad) return `'${f.name}' has a value past its length`;
        }
      }
      for (let j = 0; j < count; j++) {
        const v = state[start + j]!;
        if (v < f.lo || v > f.hi) {
          return `${f.name}${f.isArray ? `[${j}]` : ''} = ${v} is outside ${f.lo}..${f.hi}`;
        }
      }
    }
    return null;
  }

  /** Breadth-first exploration of the reachable DAG (null beyond the limit or on a cycle), cached. */
  private explore(): { states: number; longest: number; modes: number } | null {
    if (this.explored !== undefined) return this.explored;
    this.explored = null;
    const d = this.stateDim;
    const a = this.numActions;
    const modes = new Set<string>();
    const mask = new Uint8Array(a);
    const one = new Int32Array(1);
    const order: Int32Array[] = [this.initialState.slice()];
    const index = new Map<string, number>([[order[0]!.join(','), 0]]);
    const edges: number[][] = [];
    for (let k = 0; k < order.length; k++) {
      if (order.length > SPEC_ENUMERATION_LIMIT) return null;
      const s = order[k]!;
      const out: number[] = [];
      edges.push(out);
      this.forwardMask(s, 1, mask);
      const mode = mask[this.exitAction] ? this.modeOf?.(s) : null;
      if (mode !== undefined && mode !== null) modes.add(mode);
      for (let act = 0; act < a; act++) {
        if (!mask[act] || act === this.exitAction) continue;
        one[0] = act;
        const child = new Int32Array(d);
        this.step(s, one, 1, child);
        const key = child.join(',');
        let id = index.get(key);
        if (id === undefined) {
          id = order.length;
          index.set(key, id);
          order.push(child);
        }
        out.push(id);
      }
    }
    const path = longestPath(edges);
    if (!('longest' in path)) return null;
    this.explored = { states: order.length, longest: path.longest, modes: modes.size };
    return this.explored;
  }
}
