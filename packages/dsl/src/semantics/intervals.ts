import type { Binder, Effect, Expr } from '../syntax/ast.js';
import type { GenContext } from '../codegen/expr-gen.js';
import { type Diagnostic, diagnostic } from '../diagnostics.js';

type Interval = [number, number];
const ANY: Interval = [-Infinity, Infinity];
const BOOL: Interval = [0, 1];

/**
 * Interval analysis over the instantiated spec: every index must stay inside its array for every
 * parameter value of the action, every binder value of an aggregate and every value a field's
 * range allows. Guards are not used to narrow ranges, so `s[len(s) - 1]` is flagged even under
 * `when len(s) > 0`; `last(s)` reads the last item safely.
 */
export function checkIndices(g: GenContext, diags: Diagnostic[]): void {
  const seen = new Set<string>();
  const report = (e: Expr, message: string) => {
    const key = `${e.loc.line}:${e.loc.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    diags.push(diagnostic('E406', message, e.loc));
  };
  const a = new Analyzer(g, report);
  const binderScope = (binders: Binder[]) =>
    new Map(binders.map((b) => [b.name, g.binderRanges.get(b) ?? ANY] as [string, Interval]));
  const { checked } = g;
  for (const act of checked.actions) {
    const scope = binderScope(act.binders);
    if (act.guard) a.range(act.guard, scope);
    a.effects(act.effects ?? [], scope);
    const p = checked.parents.get(act.name)!;
    const pscope = binderScope(p.binders);
    if (p.guard) a.range(p.guard, pscope);
    a.effects(p.effects, pscope);
  }
  if (checked.stop?.guard) a.range(checked.stop.guard, new Map());
  if (checked.terminal) a.range(checked.terminal, new Map());
  a.range(checked.reward.body, new Map());
  if (checked.mode) {
    a.range(checked.mode.cond, new Map());
    if (checked.mode.key) a.range(checked.mode.key, new Map());
  }
}

class Analyzer {
  constructor(
    private readonly g: GenContext,
    private readonly report: (e: Expr, message: string) => void,
  ) {}

  effects(effects: Effect[], scope: Map<string, Interval>): void {
    for (const e of effects) {
      if (e.kind === 'pop') continue;
      this.range(e.value, scope);
      if (e.kind === 'assign' && e.index) {
        const f = this.g.fields.get(e.target)!;
        this.checkIndex(e.index, this.range(e.index, scope), f.size, e.target);
      }
    }
  }

  private checkIndex(at: Expr, [lo, hi]: Interval, length: number, name: string): void {
    if (lo > hi) return;
    if (lo < 0 || hi > length - 1) {
      const shown = `${Number.isFinite(lo) ? lo : '-inf'}..${Number.isFinite(hi) ? hi : 'inf'}`;
      this.report(
        at,
        `index into '${name}' can be ${shown}; '${name}' has indices 0..${length - 1}`,
      );
    }
  }

  range(e: Expr, scope: Map<string, Interval>): Interval {
    switch (e.kind) {
      case 'num':
        return [e.value, e.value];
      case 'bool':
        return e.value ? [1, 1] : [0, 0];
      case 'array':
        return ANY;
      case 'name':
        return this.name(e.name, scope);
      case 'index':
        return this.index(e, scope);
      case 'unary': {
        const [lo, hi] = this.range(e.operand, scope);
        return e.op === '-' ? [-hi, -lo] : BOOL;
      }
      case 'binary':
        return binary(e.op, this.range(e.left, scope), this.range(e.right, scope));
      case 'if': {
        this.range(e.cond, scope);
        const a = this.range(e.then, scope);
        const b = this.range(e.else, scope);
        return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
      }
      case 'aggregate': {
        const inner = new Map(scope);
        let count = 1;
        for (const b of e.binders) {
          const lo = this.range(b.lo, inner)[0];
          const hi = this.range(b.hi, inner)[1];
          inner.set(b.name, [lo, hi]);
          count *= Math.max(0, hi - lo + 1);
        }
        const body = this.range(e.body, inner);
        if (e.op === 'all' || e.op === 'any') return BOOL;
        if (e.op === 'count') return [0, count];
        if (e.op === 'min' || e.op === 'max') return body;
        if (e.op === 'sum') return [Math.min(0, body[0] * count), Math.max(0, body[1] * count)];
        return ANY;
      }
      case 'call':
        return this.call(e, scope);
    }
  }

  private name(name: string, scope: Map<string, Interval>): Interval {
    const local = scope.get(name);
    if (local) return local;
    const p = this.g.params.get(name);
    if (p !== undefined) return [p, p];
    const c = this.g.consts.get(name);
    if (c) return c.scalar !== undefined ? [c.scalar, c.scalar] : ANY;
    const f = this.g.fields.get(name);
    if (f) return [f.lo, f.hi];
    const l = this.g.checked.lets.get(name);
    return l ? this.range(l.body, new Map()) : ANY;
  }

  private index(e: Extract<Expr, { kind: 'index' }>, scope: Map<string, Interval>): Interval {
    const indices: Expr[] = [];
    let target: Expr = e;
    while (target.kind === 'index') {
      indices.unshift(target.index);
      target = target.target;
    }
    if (target.kind !== 'name') return ANY;
    const f = this.g.fields.get(target.name);
    if (f) {
      this.checkIndex(indices[0]!, this.range(indices[0]!, scope), f.size, target.name);
      return f.kind === 'seq' ? [f.pad, f.hi] : [f.lo, f.hi];
    }
    const c = this.g.consts.get(target.name);
    if (!c) return ANY;
    indices.forEach((ix, k) =>
      this.checkIndex(ix, this.range(ix, scope), c.dims[k] ?? 0, target.name),
    );
    return ANY;
  }

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Map<string, Interval>): Interval {
    const l = this.g.checked.lets.get(e.name);
    if (l) {
      const inner = new Map<string, Interval>();
      l.params.forEach((p, i) => inner.set(p.name, this.range(e.args[i]!, scope)));
      return this.range(l.body, inner);
    }
    const args = e.args.map((a) => this.range(a, scope));
    const arg = e.args[0];
    const f = arg?.kind === 'name' ? this.g.fields.get(arg.name) : undefined;
    switch (e.name) {
      case 'len':
        if (f) return f.kind === 'seq' ? [0, f.size] : [f.size, f.size];
        return ANY;
      case 'last':
        return f ? [Math.min(f.pad, f.lo), f.hi] : ANY;
      case 'abs': {
        const [lo, hi] = args[0]!;
        return lo >= 0 ? [lo, hi] : hi <= 0 ? [-hi, -lo] : [0, Math.max(-lo, hi)];
      }
      case 'min':
        return [Math.min(...args.map((x) => x[0])), Math.min(...args.map((x) => x[1]))];
      case 'max':
        return [Math.max(...args.map((x) => x[0])), Math.max(...args.map((x) => x[1]))];
      case 'floor':
      case 'ceil':
      case 'round':
        return [Math.floor(args[0]![0]), Math.ceil(args[0]![1])];
      default:
        return ANY;
    }
  }
}

function binary(op: string, [a0, a1]: Interval, [b0, b1]: Interval): Interval {
  switch (op) {
    case '+':
      return [a0 + b0, a1 + b1];
    case '-':
      return [a0 - b1, a1 - b0];
    case '*': {
      const p = [a0 * b0, a0 * b1, a1 * b0, a1 * b1].map((x) => (Number.isNaN(x) ? 0 : x));
      return [Math.min(...p), Math.max(...p)];
    }
    case '%': {
      const m = Math.max(Math.abs(b0), Math.abs(b1));
      return [a0 >= 0 ? 0 : -(m - 1), a1 <= 0 ? 0 : m - 1];
    }
    case '/':
    case '^':
      return ANY;
    default:
      return BOOL;
  }
}
