import type { Binder, Effect, Expr } from '../syntax/ast.js';
import type { CheckedSpec } from '../semantics/validate-spec.js';

/** Where a state field lives in the int32 state vector. */
export interface FieldLayout {
  name: string;
  kind: 'int' | 'bool' | 'seq';
  /** First slot; a sequence keeps its length there and its items after it. */
  offset: number;
  /** Elements: 1 for a scalar, the array size, or the sequence capacity. */
  size: number;
  isArray: boolean;
  lo: number;
  hi: number;
  /** Value of an unused sequence slot (lo - 1). */
  pad: number;
  featureOffset: number;
  /** One-hot features per element (small ranges) or one scaled float. */
  oneHot: boolean;
}

/** What code generation needs besides the checked spec: concrete sizes, constants, ranges. */
export interface GenContext {
  checked: CheckedSpec;
  params: Map<string, number>;
  fields: Map<string, FieldLayout>;
  /** Constant tables, flattened, by name: index into the generated code's K array. */
  consts: Map<string, { slot: number; dims: number[]; scalar?: number }>;
  /** Concrete [lo, hi] of each action / parent binder. */
  binderRanges: Map<Binder, [number, number]>;
}

/** JavaScript source for a number; the value always comes from the parsed spec, never its text. */
function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return v < 0 || Object.is(v, -0) ? `(${String(v)})` : String(v);
}

/**
 * Generates JavaScript statements and expressions from validated AST nodes. Every identifier in
 * the output is made here (t0, p1, K[2], ...): names from the spec never reach the source text.
 */
export class ExprGen {
  private counter = 0;
  usesExtern = false;

  constructor(private readonly g: GenContext) {}

  fresh(prefix = 't'): string {
    return `${prefix}${this.counter++}`;
  }

  /** A JS expression for `e`; statements it needs first (loops, temporaries) go to `out`. */
  expr(e: Expr, out: string[], locals: Map<string, string>): string {
    switch (e.kind) {
      case 'num':
        return num(e.value);
      case 'bool':
        return e.value ? 'true' : 'false';
      case 'array':
        throw new Error('array literal outside a constant');
      case 'name':
        return this.name(e.name, out, locals);
      case 'index':
        return this.index(e, out, locals);
      case 'unary': {
        const v = this.expr(e.operand, out, locals);
        return e.op === '-' ? `(-${v})` : `(!${v})`;
      }
      case 'binary': {
        const a = this.expr(e.left, out, locals);
        const b = this.expr(e.right, out, locals);
        switch (e.op) {
          case '^':
            return `Math.pow(${a}, ${b})`;
          case '==':
            return `(${a} === ${b})`;
          case '!=':
            return `(${a} !== ${b})`;
          case 'and':
            return `(${a} && ${b})`;
          case 'or':
            return `(${a} || ${b})`;
          default:
            return `(${a} ${e.op} ${b})`;
        }
      }
      case 'if': {
        const c = this.expr(e.cond, out, locals);
        return `(${c} ? ${this.expr(e.then, out, locals)} : ${this.expr(e.else, out, locals)})`;
      }
      case 'call':
        return this.call(e, out, locals);
      case 'aggregate':
        return this.aggregate(e, out, locals);
    }
  }

  private name(name: string, out: string[], locals: Map<string, string>): string {
    const local = locals.get(name);
    if (local !== undefined) return local;
    const p = this.g.params.get(name);
    if (p !== undefined) return num(p);
    const c = this.g.consts.get(name);
    if (c) return c.scalar !== undefined ? num(c.scalar) : `K[${c.slot}]`;
    const f = this.g.fields.get(name);
    if (f) return f.kind === 'bool' ? `(S[b + ${f.offset}] !== 0)` : `S[b + ${f.offset}]`;
    const l = this.g.checked.lets.get(name)!;
    return `(${this.expr(l.body, out, new Map())})`;
  }

  private index(
    e: Extract<Expr, { kind: 'index' }>,
    out: string[],
    locals: Map<string, string>,
  ): string {
    const indices: Expr[] = [];
    let target: Expr = e;
    while (target.kind === 'index') {
      indices.unshift(target.index);
      target = target.target;
    }
    const name = (target as Extract<Expr, { kind: 'name' }>).name;
    const idx = indices.map((ix) => this.expr(ix, out, locals));
    const f = this.g.fields.get(name);
    if (f) {
      const slot = `S[b + ${f.offset + (f.kind === 'seq' ? 1 : 0)} + ${idx[0]!}]`;
      return f.kind === 'bool' ? `(${slot} !== 0)` : slot;
    }
    const c = this.g.consts.get(name)!;
    let flat = idx[0]!;
    for (let k = 1; k < idx.length; k++) flat = `(${flat}) * ${c.dims[k]!} + ${idx[k]!}`;
    return `K[${c.slot}][${flat}]`;
  }

  private call(
    e: Extract<Expr, { kind: 'call' }>,
    out: string[],
    locals: Map<string, string>,
  ): string {
    if (e.name === 'len' || e.name === 'last') return this.lenOrLast(e, out);
    const math: Record<string, string> = {
      abs: 'Math.abs',
      min: 'Math.min',
      max: 'Math.max',
      exp: 'Math.exp',
      log: 'Math.log',
      sqrt: 'Math.sqrt',
      floor: 'Math.floor',
      ceil: 'Math.ceil',
      round: 'Math.round',
    };
    const fn = math[e.name];
    if (fn) return `${fn}(${e.args.map((a) => this.expr(a, out, locals)).join(', ')})`;
    const l = this.g.checked.lets.get(e.name);
    if (l) {
      const inner = new Map<string, string>();
      l.params.forEach((p, i) => {
        const t = this.fresh();
        out.push(`const ${t} = ${this.expr(e.args[i]!, out, locals)};`);
        inner.set(p.name, t);
      });
      return `(${this.expr(l.body, out, inner)})`;
    }
    const x = this.g.checked.externs.get(e.name)!;
    this.usesExtern = true;
    const args = e.args.map((a, i) =>
      x.params[i]!.array ? this.arrayArg(a) : this.expr(a, out, locals),
    );
    const slot = [...this.g.checked.externs.keys()].indexOf(e.name);
    return `(await X[${slot}](${args.join(', ')}))`;
  }

  private arrayArg(a: Expr): string {
    const name = (a as Extract<Expr, { kind: 'name' }>).name;
    const f = this.g.fields.get(name);
    if (f?.kind === 'seq')
      return `Array.from(S.subarray(b + ${f.offset + 1}, b + ${f.offset + 1} + S[b + ${f.offset}]))`;
    if (f) return `Array.from(S.subarray(b + ${f.offset}, b + ${f.offset + f.size}))`;
    return `Array.from(K[${this.g.consts.get(name)!.slot}])`;
  }

  private lenOrLast(e: Extract<Expr, { kind: 'call' }>, out: string[]): string {
    const arg = e.args[0]!;
    const name = arg.kind === 'name' ? arg.name : '';
    const f = this.g.fields.get(name);
    const c = this.g.consts.get(name);
    if (e.name === 'len') {
      if (f) return f.kind === 'seq' ? `S[b + ${f.offset}]` : num(f.size);
      return num(c!.dims[0]!);
    }
    if (f?.kind === 'seq') {
      const t = this.fresh();
      out.push(`const ${t} = S[b + ${f.offset}];`);
      return `(${t} > 0 ? S[b + ${f.offset} + ${t}] : ${num(f.pad)})`;
    }
    if (f) {
      const slot = `S[b + ${f.offset + f.size - 1}]`;
      return f.kind === 'bool' ? `(${slot} !== 0)` : slot;
    }
    return `K[${c!.slot}][${c!.dims[0]! - 1}]`;
  }

  private aggregate(
    e: Extract<Expr, { kind: 'aggregate' }>,
    out: string[],
    locals: Map<string, string>,
  ): string {
    const acc = this.fresh('acc');
    const label = this.fresh('L');
    const init: Record<string, string> = {
      all: 'true',
      any: 'false',
      sum: '0',
      prod: '1',
      count: '0',
      min: 'Infinity',
      max: '-Infinity',
    };
    out.push(`let ${acc} = ${init[e.op]!};`);
    const inner = new Map(locals);
    const body: string[] = [];
    let open = 0;
    let target = out;
    for (const b of e.binders) {
      const v = this.fresh('i');
      const hi = this.fresh('hi');
      const lo = this.expr(b.lo, target, inner);
      target.push(`const ${hi} = ${this.expr(b.hi, target, inner)};`);
      target.push(
        `${open === 0 ? `${label}: ` : ''}for (let ${v} = ${lo}; ${v} <= ${hi}; ${v}++) {`,
      );
      inner.set(b.name, v);
      open++;
      target = body;
    }
    const value = this.expr(e.body, body, inner);
    switch (e.op) {
      case 'all':
        body.push(`if (!${value}) { ${acc} = false; break ${label}; }`);
        break;
      case 'any':
        body.push(`if (${value}) { ${acc} = true; break ${label}; }`);
        break;
      case 'sum':
        body.push(`${acc} += ${value};`);
        break;
      case 'prod':
        body.push(`${acc} *= ${value};`);
        break;
      case 'count':
        body.push(`if (${value}) ${acc}++;`);
        break;
      case 'min':
        body.push(`${acc} = Math.min(${acc}, ${value});`);
        break;
      default:
        body.push(`${acc} = Math.max(${acc}, ${value});`);
    }
    out.push(...body, '}'.repeat(open));
    return acc;
  }

  /**
   * Effects read the state before the action (S) and write the new one (O): every value and
   * index is computed first, then written, so the order of effects does not matter.
   */
  effects(effects: Effect[], out: string[], locals: Map<string, string>, owner: string): void {
    const writes: string[] = [];
    for (const e of effects) {
      const f = this.g.fields.get(e.target)!;
      const len = `S[b + ${f.offset}]`;
      if (e.kind === 'push' || e.kind === 'pop') {
        const L = this.fresh('len');
        out.push(`const ${L} = ${len};`);
        if (e.kind === 'push') {
          const v = this.fresh();
          out.push(`const ${v} = ${this.expr(e.value, out, locals)};`);
          out.push(
            `if (${L} >= ${f.size}) throw ERR(${JSON.stringify(`${owner}: push onto full sequence '${f.name}'`)}, S, b);`,
          );
          writes.push(`O[b + ${f.offset + 1} + ${L}] = ${v};`, `O[b + ${f.offset}] = ${L} + 1;`);
        } else {
          out.push(
            `if (${L} <= 0) throw ERR(${JSON.stringify(`${owner}: pop from empty sequence '${f.name}'`)}, S, b);`,
          );
          writes.push(
            `O[b + ${f.offset} + ${L}] = ${num(f.pad)};`,
            `O[b + ${f.offset}] = ${L} - 1;`,
          );
        }
        continue;
      }
      let slot = `b + ${f.offset + (f.kind === 'seq' ? 1 : 0)}`;
      if (e.index) {
        const ix = this.fresh();
        out.push(`const ${ix} = ${this.expr(e.index, out, locals)};`);
        slot += ` + ${ix}`;
      }
      const v = this.fresh();
      const value = this.expr(e.value, out, locals);
      if (e.op === '=')
        out.push(`const ${v} = ${f.kind === 'bool' ? `(${value} ? 1 : 0)` : value};`);
      else out.push(`const ${v} = S[${slot}] ${e.op === '+=' ? '+' : '-'} ${value};`);
      writes.push(`O[${slot}] = ${v};`);
    }
    out.push(...writes);
  }
}
