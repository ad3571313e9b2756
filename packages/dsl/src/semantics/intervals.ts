import type { Binder, Effect, Expr } from '../syntax/ast.js';
import type { FieldLayout, GenContext } from '../codegen/expr-gen.js';
import { type Diagnostic, diagnostic } from '../diagnostics.js';

export type Interval = [number, number];
const ANY: Interval = [-Infinity, Infinity];
const BOOL: Interval = [0, 1];

/**
 * What is known where an expression is evaluated: the range of each binder, the ranges that
 * conditions in force narrowed (keyed by the term's text, e.g. `x[d]` or `len(s)`), and the
 * order facts they gave between terms (`i < len(s)`, `j <= i`).
 */
interface Knowledge {
  ranges: Map<string, Interval>;
  /** [a, b, strict]: term a < b (strict) or a <= b. */
  facts: [string, string, boolean][];
  /** Binder and let-parameter names visible here (a let body does not see the caller's). */
  locals: Set<string>;
}

const empty = (): Knowledge => ({ ranges: new Map(), facts: [], locals: new Set() });

/**
 * Interval analysis over the instantiated spec: every index must stay inside its array for every
 * parameter value of the action, every binder value of an aggregate and every state the rule can
 * apply in. What a rule may assume narrows the ranges: its guard (for its effects and the rest of
 * the guard), `a and b` (b is evaluated only when a holds), `if` branches, and for the reward and
 * `mode` the condition under which a state terminates. Order facts such as `i < len(s)` make
 * `s[i]` a real item (not the padding of an unused slot).
 */
export function checkIndices(g: GenContext, diags: Diagnostic[]): void {
  const seen = new Set<string>();
  const report = (e: Expr, message: string) => {
    const key = `${e.loc.line}:${e.loc.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    diags.push(diagnostic('E406', message, e.loc));
  };
  const a = new Analyzer(g, report, (e, message) => diags.push(diagnostic('E404', message, e.loc)));
  const binderScope = (binders: Binder[]): Knowledge => {
    const k = empty();
    for (const b of binders) {
      k.ranges.set(b.name, g.binderRanges.get(b) ?? ANY);
      k.locals.add(b.name);
    }
    return k;
  };
  const { checked } = g;
  for (const act of checked.actions) {
    const scope = binderScope(act.binders);
    if (act.guard) a.range(act.guard, scope);
    a.effects(act.effects ?? [], act.guard ? a.assume(act.guard, scope, true) : scope);
    const p = checked.parents.get(act.name)!;
    const pscope = binderScope(p.binders);
    if (p.guard) a.range(p.guard, pscope);
    a.effects(p.effects, p.guard ? a.assume(p.guard, pscope, true) : pscope);
  }
  if (checked.stop?.guard) a.range(checked.stop.guard, empty());
  if (checked.terminal) a.range(checked.terminal, empty());
  const ends = a.terminating();
  a.range(checked.reward.body, ends);
  if (checked.mode) {
    const inMode = a.assume(checked.mode.cond, ends, true);
    if (checked.mode.key) a.range(checked.mode.key, inMode);
  }
}

/** The text of a term that conditions can narrow: a name, `len(s)`, or an index chain. */
function termKey(e: Expr): string | null {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'num':
      return null;
    case 'index': {
      const t = termKey(e.target);
      const i = e.index.kind === 'num' ? String(e.index.value) : termKey(e.index);
      return t !== null && i !== null ? `${t}[${i}]` : null;
    }
    case 'call':
      if ((e.name === 'len' || e.name === 'last') && e.args.length === 1) {
        const t = termKey(e.args[0]!);
        return t !== null ? `${e.name}(${t})` : null;
      }
      return null;
    default:
      return null;
  }
}

const NEGATE: Record<string, string> = {
  '<': '>=',
  '<=': '>',
  '>': '<=',
  '>=': '<',
  '==': '!=',
  '!=': '==',
};
const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==' };

class Analyzer {
  /** Body evaluations left for exact per-value aggregate ranges (bounds the analysis time). */
  private budget = 100_000;

  constructor(
    private readonly g: GenContext,
    private readonly report: (e: Expr, message: string) => void,
    private readonly reportShape: (e: Expr, message: string) => void,
  ) {}

  /**
   * What holds where a state terminates: `terminal when C` with no stop action means C; with a
   * guarded stop action G, C or G; an unguarded stop action says nothing.
   */
  terminating(): Knowledge {
    const { terminal, stop } = this.g.checked;
    if (stop && !stop.guard) return empty();
    const conds = [terminal, stop?.guard ?? null].filter((c): c is Expr => c !== null);
    if (conds.length === 0) return empty();
    const ks = conds.map((c) => this.assume(c, empty(), true));
    return ks.length === 1 ? ks[0]! : join(ks[0]!, ks[1]!);
  }

  effects(effects: Effect[], scope: Knowledge): void {
    for (const e of effects) {
      if (e.kind === 'pop' || e.kind === 'method') continue;
      if (e.kind === 'for') {
        this.effects(e.body, this.bind(e.binders, scope));
        continue;
      }
      const f = this.g.fields.get(e.target)!;
      if (e.kind === 'remove' || e.kind === 'insert') {
        const [lo, hi] = this.range(e.at, scope);
        const last = e.kind === 'insert' ? f.size : f.size - 1;
        if (lo <= hi && (lo < 0 || hi > last)) {
          this.report(
            e.at,
            `position in '${e.target}' can be ${show(lo)}..${show(hi)}; '${e.target}' has positions 0..${last}`,
          );
        }
      }
      if (e.kind !== 'remove') this.range(e.value, scope);
      if (e.kind === 'assign')
        e.indices.forEach((ix, k) =>
          this.checkIndex(ix, this.range(ix, scope), f.dims[k] ?? 1, e.target),
        );
    }
  }

  /** The scope inside binders `i in lo..hi, ...` (each range may use the earlier ones). */
  private bind(binders: Binder[], scope: Knowledge): Knowledge {
    const inner = copy(scope);
    for (const b of binders) {
      const lo = this.range(b.lo, inner)[0];
      const hi = this.range(b.hi, inner)[1];
      inner.ranges.set(b.name, [lo, hi]);
      inner.locals.add(b.name);
      inner.facts = inner.facts.filter(([x, y]) => x !== b.name && y !== b.name);
      if (b.hi.kind !== 'num') {
        const key = termKey(b.hi);
        if (key) inner.facts.push([b.name, key, false]);
      }
      const loKey = termKey(b.lo);
      if (loKey) inner.facts.push([loKey, b.name, false]);
    }
    return inner;
  }

  private checkIndex(at: Expr, [lo, hi]: Interval, length: number, name: string): void {
    if (lo > hi) return;
    if (lo < 0 || hi > length - 1) {
      this.report(
        at,
        `index into '${name}' can be ${show(lo)}..${show(hi)}; '${name}' has indices 0..${length - 1}`,
      );
    }
  }

  /**
   * The knowledge `scope` plus what `cond` being true (`holds`) or false tells. Only what is
   * sure is kept: comparisons of a term with a value, conjunctions, and disjunctions (joined).
   */
  assume(cond: Expr, scope: Knowledge, holds: boolean): Knowledge {
    if (cond.kind === 'unary' && cond.op === 'not') return this.assume(cond.operand, scope, !holds);
    if (cond.kind === 'binary' && (cond.op === 'and' || cond.op === 'or')) {
      const both = (cond.op === 'and') === holds;
      if (both) return this.assume(cond.right, this.assume(cond.left, scope, holds), holds);
      return join(this.assume(cond.left, scope, holds), this.assume(cond.right, scope, holds));
    }
    if (cond.kind === 'name') {
      const l = this.g.checked.lets.get(cond.name);
      if (l && !l.isFunction) return this.assume(l.body, scope, holds);
      const key = termKey(cond);
      if (key && this.g.fields.get(cond.name)?.kind === 'bool') {
        return narrow(scope, key, holds ? [1, 1] : [0, 0]);
      }
      return scope;
    }
    if (cond.kind === 'index') {
      const key = termKey(cond);
      return key ? narrow(scope, key, holds ? [1, 1] : [0, 0]) : scope;
    }
    if (cond.kind !== 'binary' || !(cond.op in NEGATE)) return scope;
    const op = holds ? cond.op : NEGATE[cond.op]!;
    let out = scope;
    const sides: [Expr, string, Expr][] = [[cond.left, op, cond.right]];
    if (op in FLIP) sides.push([cond.right, FLIP[op]!, cond.left]);
    for (const [term, o, other] of sides) {
      const key = termKey(term);
      if (!key) continue;
      const [lo, hi] = this.range(other, out);
      const ints = this.isIntTerm(term, out);
      const strict = ints ? 1 : 0;
      let r: Interval | null = null;
      if (o === '<') r = [-Infinity, hi - strict];
      else if (o === '<=') r = [-Infinity, hi];
      else if (o === '>') r = [lo + strict, Infinity];
      else if (o === '>=') r = [lo, Infinity];
      else if (o === '==') r = [lo, hi];
      else if (o === '!=' && ints && lo === hi) {
        // `t != v` trims v off an end of t's range: `len(s) != 0` means len(s) >= 1.
        const [tlo, thi] = this.range(term, out);
        if (tlo === lo) r = [lo + 1, Infinity];
        else if (thi === lo) r = [-Infinity, lo - 1];
      }
      if (r) out = narrow(out, key, r);
      const otherKey = termKey(other);
      if (otherKey && (o === '<' || o === '<=')) {
        out = { ...out, facts: [...out.facts, [key, otherKey, o === '<']] };
      }
      // `t < e - 1`, `t <= e - 1`: an order fact with the other term too.
      if (
        (o === '<' || o === '<=') &&
        other.kind === 'binary' &&
        other.op === '-' &&
        other.right.kind === 'num' &&
        other.right.value >= (o === '<' ? 0 : 1)
      ) {
        const k2 = termKey(other.left);
        if (k2) out = { ...out, facts: [...out.facts, [key, k2, true]] };
      }
    }
    return out;
  }

  /** True for terms that hold whole numbers: fields, binders, their items, `len`, `last`. */
  private isIntTerm(e: Expr, scope: Knowledge): boolean {
    if (e.kind === 'name') return scope.locals.has(e.name) || this.g.fields.has(e.name);
    if (e.kind === 'index') return this.isIntTerm(e.target, scope);
    return e.kind === 'call' && (e.name === 'len' || e.name === 'last');
  }

  /** True when the facts in `scope` show a < b. */
  private lessThan(a: string, b: string, scope: Knowledge): boolean {
    const seen = new Set<string>();
    const walk = (x: string, strict: boolean): boolean => {
      if (x === b && strict) return true;
      const key = `${x}:${strict}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return scope.facts.some(([p, q, s]) => p === x && walk(q, strict || s));
    };
    return walk(a, false);
  }

  range(e: Expr, scope: Knowledge): Interval {
    const base = this.baseRange(e, scope);
    const key = termKey(e);
    const known = key ? scope.ranges.get(key) : undefined;
    return known ? intersect(base, known) : base;
  }

  private baseRange(e: Expr, scope: Knowledge): Interval {
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
      case 'binary': {
        const left = this.range(e.left, scope);
        // The right side of `and` runs only when the left holds; of `or`, when it does not.
        const inner =
          e.op === 'and'
            ? this.assume(e.left, scope, true)
            : e.op === 'or'
              ? this.assume(e.left, scope, false)
              : scope;
        return binary(e.op, left, this.range(e.right, inner));
      }
      case 'if': {
        this.range(e.cond, scope);
        const a = this.range(e.then, this.assume(e.cond, scope, true));
        const b = this.range(e.else, this.assume(e.cond, scope, false));
        return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
      }
      case 'aggregate': {
        const inner = this.bind(e.binders, scope);
        let count = 1;
        for (const b of e.binders) {
          const [lo, hi] = inner.ranges.get(b.name)!;
          count *= Math.max(0, hi - lo + 1);
        }
        const body = this.range(e.body, inner);
        // Few binder values: the body's range for each, combined exactly, so that a base-k
        // number `sum(i in 0..3: s[i] * 4^i)` gets 0..255, not 4 times the largest term.
        const each = count <= 4096 ? this.perValue(e, scope) : null;
        if (each && each.length > 0) return combine(e.op, each);
        if (e.op === 'all' || e.op === 'any') return BOOL;
        if (e.op === 'count') return [0, count];
        if (e.op === 'min' || e.op === 'max') return body;
        if (e.op === 'sum') return [Math.min(0, body[0] * count), Math.max(0, body[1] * count)];
        if (e.op === 'prod' && body[0] >= 0 && Number.isFinite(count)) {
          return [Math.min(1, body[0] ** count), Math.max(1, body[1] ** count)];
        }
        return ANY;
      }
      case 'call':
        return this.call(e, scope);
    }
  }

  /**
   * The body's range for each combination of binder values (binders with constant ranges
   * only), or null when a range depends on an earlier binder or is not finite.
   */
  private perValue(e: Extract<Expr, { kind: 'aggregate' }>, scope: Knowledge): Interval[] | null {
    const ranges: Interval[] = [];
    for (const b of e.binders) {
      const [lo] = this.range(b.lo, scope);
      const [, hi] = this.range(b.hi, scope);
      const fixed = this.range(b.lo, scope)[1] === lo && this.range(b.hi, scope)[0] === hi;
      if (!fixed || !Number.isFinite(lo) || !Number.isFinite(hi)) return null;
      ranges.push([lo, hi]);
    }
    const count = ranges.reduce((p, [lo, hi]) => p * Math.max(0, hi - lo + 1), 1);
    if (count > this.budget) return null;
    this.budget -= count;
    const out: Interval[] = [];
    const rec = (k: number, k2: Knowledge): void => {
      if (k === e.binders.length) {
        out.push(this.range(e.body, k2));
        return;
      }
      for (let v = ranges[k]![0]; v <= ranges[k]![1]; v++) {
        const next = this.bind([{ ...e.binders[k]!, lo: num(v), hi: num(v) }], k2);
        rec(k + 1, next);
      }
    };
    rec(0, scope);
    return out;
  }

  private name(name: string, scope: Knowledge): Interval {
    const local = scope.ranges.get(name);
    if (local && scope.locals.has(name)) return local;
    const p = this.g.params.get(name);
    if (p !== undefined) return [p, p];
    const c = this.g.consts.get(name);
    if (c) return c.scalar !== undefined ? [c.scalar, c.scalar] : ANY;
    const f = this.g.fields.get(name);
    if (f) return [f.lo, f.hi];
    const l = this.g.checked.lets.get(name);
    return l ? this.range(l.body, globalsOf(scope)) : ANY;
  }

  private index(e: Extract<Expr, { kind: 'index' }>, scope: Knowledge): Interval {
    const indices: Expr[] = [];
    let target: Expr = e;
    while (target.kind === 'index') {
      indices.unshift(target.index);
      target = target.target;
    }
    if (target.kind !== 'name') return ANY;
    const f = this.g.fields.get(target.name);
    if (f) {
      indices.forEach((ix, k) =>
        this.checkIndex(ix, this.range(ix, scope), f.dims[k] ?? 1, target.name),
      );
      if (f.kind !== 'seq') return [f.lo, f.hi];
      return this.isItem(f, indices[0]!, scope) ? [f.lo, f.hi] : [f.pad, f.hi];
    }
    const c = this.g.consts.get(target.name);
    if (!c) return ANY;
    const at = indices.map((ix) => this.range(ix, scope));
    indices.forEach((ix, k) => this.checkIndex(ix, at[k]!, c.dims[k] ?? 0, target.name));
    // Every index known exactly: the entry itself.
    if (c.table && at.length === c.dims.length && at.every(([lo, hi]) => lo === hi)) {
      let flat = 0;
      at.forEach(([v], k) => (flat = flat * c.dims[k]! + v));
      const v = c.table[flat];
      if (v !== undefined) return [v, v];
    }
    return c.range ?? ANY;
  }

  /** True when `s[ix]` is surely one of the sequence's items, not an unused slot. */
  private isItem(f: FieldLayout, ix: Expr, scope: Knowledge): boolean {
    const len = `len(${f.name})`;
    const [lo, hi] = this.range(ix, scope);
    const [lenLo] = scope.ranges.get(len) ?? [0, f.size];
    if (lo >= 0 && hi < lenLo) return true;
    if (lo < 0) return false;
    // `s[len(s) - c]` with c >= 1.
    if (
      ix.kind === 'binary' &&
      ix.op === '-' &&
      termKey(ix.left) === len &&
      this.range(ix.right, scope)[0] >= 1
    ) {
      return true;
    }
    const key = termKey(ix);
    return key !== null && lo >= 0 && this.lessThan(key, len, scope);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Knowledge): Interval {
    const l = this.g.checked.lets.get(e.name);
    if (l) {
      const inner = globalsOf(scope);
      l.params.forEach((p, i) => {
        inner.ranges.set(p.name, this.range(e.args[i]!, scope));
        inner.locals.add(p.name);
      });
      return this.range(l.body, inner);
    }
    const args = e.args.map((a) => this.range(a, scope));
    const arg = e.args[0];
    const f = arg?.kind === 'name' ? this.g.fields.get(arg.name) : undefined;
    switch (e.name) {
      case 'len':
        if (f) return f.kind === 'seq' ? [0, f.size] : [f.dims[0]!, f.dims[0]!];
        return ANY;
      case 'last': {
        if (!f) return ANY;
        const [lenLo] = scope.ranges.get(`len(${f.name})`) ?? [0, f.size];
        return f.kind === 'seq' && lenLo < 1 ? [Math.min(f.pad, f.lo), f.hi] : [f.lo, f.hi];
      }
      case 'reach': {
        const graph = this.g.fields.get((arg as Extract<Expr, { kind: 'name' }>).name)!;
        if (graph.dims[0] !== graph.dims[1]) {
          this.reportShape(
            arg!,
            `'reach' needs a square adjacency matrix; '${graph.name}' is ${graph.dims.join('x')}`,
          );
        }
        for (const node of e.args.slice(1))
          this.checkIndex(node, this.range(node, scope), graph.dims[0]!, graph.name);
        return BOOL;
      }
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
      case 'round': {
        const f = Math[e.name];
        return [f(args[0]![0]), f(args[0]![1])];
      }
      case 'exp':
        return [Math.exp(args[0]![0]), Math.exp(args[0]![1])];
      case 'log':
        return args[0]![0] > 0 ? [Math.log(args[0]![0]), Math.log(args[0]![1])] : ANY;
      case 'sqrt':
        return args[0]![0] >= 0 ? [Math.sqrt(args[0]![0]), Math.sqrt(args[0]![1])] : ANY;
      default:
        return ANY;
    }
  }
}

/** A literal standing for one binder value. */
function num(v: number): Expr {
  return { kind: 'num', value: v, isInt: true, loc: { line: 0, column: 0, length: 0 } };
}

/** An aggregate's range from its body's range at each binder value. */
function combine(op: string, each: Interval[]): Interval {
  switch (op) {
    case 'sum':
      return each.reduce<Interval>((a, r) => [a[0] + r[0], a[1] + r[1]], [0, 0]);
    case 'min':
      return [Math.min(...each.map((r) => r[0])), Math.min(...each.map((r) => r[1]))];
    case 'max':
      return [Math.max(...each.map((r) => r[0])), Math.max(...each.map((r) => r[1]))];
    case 'count':
      return [0, each.length];
    case 'prod': {
      let acc: Interval = [1, 1];
      for (const r of each) acc = binary('*', acc, r);
      return acc;
    }
    default:
      return BOOL;
  }
}

function show(v: number): string {
  return Number.isFinite(v) ? String(v) : v < 0 ? '-inf' : 'inf';
}

function copy(k: Knowledge): Knowledge {
  return { ranges: new Map(k.ranges), facts: [...k.facts], locals: new Set(k.locals) };
}

/** Only what does not mention the caller's locals: the scope a let body is evaluated in. */
function globalsOf(k: Knowledge): Knowledge {
  const mentionsLocal = (key: string) =>
    (key.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).some((n) => k.locals.has(n));
  return {
    ranges: new Map([...k.ranges].filter(([key]) => !mentionsLocal(key))),
    facts: k.facts.filter(([a, b]) => !mentionsLocal(a) && !mentionsLocal(b)),
    locals: new Set(),
  };
}

function narrow(k: Knowledge, key: string, r: Interval): Knowledge {
  const out = copy(k);
  const prev = out.ranges.get(key);
  out.ranges.set(key, prev ? intersect(prev, r) : r);
  return out;
}

function intersect(a: Interval, b: Interval): Interval {
  return [Math.max(a[0], b[0]), Math.min(a[1], b[1])];
}

/** What holds in either of two cases: ranges hulled, facts common to both. */
function join(a: Knowledge, b: Knowledge): Knowledge {
  const ranges = new Map<string, Interval>();
  for (const [key, ra] of a.ranges) {
    const rb = b.ranges.get(key);
    if (rb) ranges.set(key, [Math.min(ra[0], rb[0]), Math.max(ra[1], rb[1])]);
  }
  const facts = a.facts.filter(([x, y, s]) =>
    b.facts.some(([p, q, t]) => p === x && q === y && (t || !s)),
  );
  return { ranges, facts, locals: new Set([...a.locals, ...b.locals]) };
}

function binary(op: string, [a0, a1]: Interval, [b0, b1]: Interval): Interval {
  const corners = (f: (x: number, y: number) => number): Interval => {
    const p = [f(a0, b0), f(a0, b1), f(a1, b0), f(a1, b1)].map((x) => (Number.isNaN(x) ? 0 : x));
    return [Math.min(...p), Math.max(...p)];
  };
  switch (op) {
    case '+':
      return [a0 + b0, a1 + b1];
    case '-':
      return [a0 - b1, a1 - b0];
    case '*':
      return corners((x, y) => x * y);
    case '%': {
      const m = Math.max(Math.abs(b0), Math.abs(b1));
      return [a0 >= 0 ? 0 : -(m - 1), a1 <= 0 ? 0 : m - 1];
    }
    case '/':
      return b0 > 0 || b1 < 0 ? corners((x, y) => x / y) : ANY;
    case '^': {
      if (a0 >= 0 && b0 >= 0) {
        const r = corners((x, y) => x ** y);
        // A base below 1 shrinks with the exponent: the smallest value is at a corner anyway,
        // but 0^0 = 1 and x^0 = 1 are the largest when every base is below 1.
        return [Math.min(r[0], b0 === 0 ? 1 : r[0]), Math.max(r[1], b0 === 0 ? 1 : r[1])];
      }
      if (b0 >= 0 && Number.isInteger(b0) && b0 === b1) {
        const m = Math.max(Math.abs(a0), Math.abs(a1)) ** b0;
        return b0 % 2 === 0 ? [0, m] : [-m, m];
      }
      return ANY;
    }
    default:
      return BOOL;
  }
}
