import type { Binder, Effect, Expr } from '../syntax/ast.js';
import type { CheckedSpec } from '../semantics/validate-spec.js';

/** Where a state field lives in the int32 state vector. */
export interface FieldLayout {
  name: string;
  kind: 'int' | 'bool' | 'seq';
  /** First slot; a sequence keeps its length there and its items after it. */
  offset: number;
  /** Elements: 1 for a scalar, the product of the dimensions, or the sequence capacity. */
  size: number;
  /** The array's dimensions (`bool[4][4]`: [4, 4]); empty for a scalar, [capacity] for a seq. */
  dims: number[];
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
  consts: Map<
    string,
    {
      slot: number;
      dims: number[];
      scalar?: number;
      /** The table's smallest and largest entries, and its entries (flattened). */
      range?: [number, number];
      table?: Float64Array;
    }
  >;
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
  /** Set when an awaited extern call was generated: the function must be async. */
  usesExtern = false;
  /** Extern calls await their result (the reward) or must return at once (guards, mode). */
  awaitExterns = false;

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
        if (e.op === 'and' || e.op === 'or')
          return this.shortCircuit(e.op, a, e.right, out, locals);
        const b = this.expr(e.right, out, locals);
        switch (e.op) {
          case '^':
            return `Math.pow(${a}, ${b})`;
          case '==':
            return `(${a} === ${b})`;
          case '!=':
            return `(${a} !== ${b})`;
          default:
            return `(${a} ${e.op} ${b})`;
        }
      }
      case 'if': {
        const c = this.expr(e.cond, out, locals);
        const thenOut: string[] = [];
        const elseOut: string[] = [];
        const t = this.expr(e.then, thenOut, locals);
        const f = this.expr(e.else, elseOut, locals);
        if (thenOut.length === 0 && elseOut.length === 0) return `(${c} ? ${t} : ${f})`;
        // A branch with loops of its own runs them only when it is taken.
        const v = this.fresh();
        out.push(
          `let ${v}; if (${c}) { ${thenOut.join('\n')} ${v} = ${t}; } else { ${elseOut.join('\n')} ${v} = ${f}; }`,
        );
        return v;
      }
      case 'call':
        return this.call(e, out, locals);
      case 'aggregate':
        return this.aggregate(e, out, locals);
    }
  }

  /**
   * `a and b`, `a or b`: when b needs statements first (an aggregate's loop, a let's
   * arguments), they run only when a does not decide the result, as the language promises:
   * `len(s) > 0 and any(...)` skips the loop on an empty sequence.
   */
  private shortCircuit(
    op: 'and' | 'or',
    a: string,
    right: Expr,
    out: string[],
    locals: Map<string, string>,
  ): string {
    const inner: string[] = [];
    const b = this.expr(right, inner, locals);
    const js = op === 'and' ? '&&' : '||';
    if (inner.length === 0) return `(${a} ${js} ${b})`;
    const v = this.fresh();
    out.push(
      `let ${v} = ${a}; if (${op === 'and' ? v : `!${v}`}) { ${inner.join('\n')} ${v} = ${b}; }`,
    );
    return `(${v})`;
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
    const f = this.g.fields.get(name);
    if (f) {
      const flat = this.flatIndex(f, indices, out, locals);
      const slot = `S[b + ${f.offset + (f.kind === 'seq' ? 1 : 0)} + ${flat}]`;
      return f.kind === 'bool' ? `(${slot} !== 0)` : slot;
    }
    const idx = indices.map((ix) => this.expr(ix, out, locals));
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
    if (e.name === 'reach') {
      const f = this.g.fields.get((e.args[0] as Extract<Expr, { kind: 'name' }>).name)!;
      const from = this.expr(e.args[1]!, out, locals);
      const to = this.expr(e.args[2]!, out, locals);
      return `REACH(S, b + ${f.offset}, ${f.dims[0]!}, ${from}, ${to})`;
    }
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
    const args = e.args.map((a, i) =>
      x.params[i]!.array ? this.arrayArg(a) : this.expr(a, out, locals),
    );
    const slot = [...this.g.checked.externs.keys()].indexOf(e.name);
    // The reward awaits its externs; guards and `mode` run synchronously and call XS, which
    // refuses a promise.
    if (!this.awaitExterns) return `XS[${slot}](${args.join(', ')})`;
    this.usesExtern = true;
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
   * index is computed first, then written, so the order of effects does not matter. A value
   * outside its field's range, a full or empty sequence, or a position outside a sequence throws
   * ERR with what the rule tried, naming the rule (`owner`).
   */
  effects(effects: Effect[], out: string[], locals: Map<string, string>, owner: string): void {
    const writes: string[] = [];
    this.collectEffects(effects, out, writes, locals, owner, null);
    out.push(...writes);
  }

  /**
   * Computes the effects into `out` and puts their writes in `writes`. Inside a `for` loop
   * (`buffer` set) a write is recorded as a slot and a value, applied after the loop.
   */
  private collectEffects(
    effects: Effect[],
    out: string[],
    writes: string[],
    locals: Map<string, string>,
    owner: string,
    buffer: { slots: string; values: string } | null,
  ): void {
    const fail = (what: string, extra = '') =>
      `throw ERR(${JSON.stringify(`${owner}: ${what}`)}${extra}, S, b);`;
    const write = (slot: string, value: string) => {
      if (buffer) out.push(`${buffer.slots}.push(${slot}); ${buffer.values}.push(${value});`);
      else writes.push(`O[${slot}] = ${value};`);
    };
    for (const e of effects) {
      if (e.kind === 'method') continue;
      if (e.kind === 'for') {
        const buf = buffer ?? { slots: this.fresh('ws'), values: this.fresh('wv') };
        if (!buffer) out.push(`const ${buf.slots} = []; const ${buf.values} = [];`);
        const inner = new Map(locals);
        let open = 0;
        for (const b of e.binders) {
          const v = this.fresh('i');
          const hi = this.fresh('hi');
          const lo = this.expr(b.lo, out, inner);
          out.push(`const ${hi} = ${this.expr(b.hi, out, inner)};`);
          out.push(`for (let ${v} = ${lo}; ${v} <= ${hi}; ${v}++) {`);
          inner.set(b.name, v);
          open++;
        }
        this.collectEffects(e.body, out, writes, inner, owner, buf);
        out.push('}'.repeat(open));
        if (!buffer) {
          writes.push(
            `for (let k = 0; k < ${buf.slots}.length; k++) O[${buf.slots}[k]] = ${buf.values}[k];`,
          );
        }
        continue;
      }
      const f = this.g.fields.get(e.target)!;
      const lenSlot = `b + ${f.offset}`;
      const items = `b + ${f.offset + 1}`;
      // `where` is a JS single-quoted string body; it may splice in generated index names.
      const inRange = (v: string, where: string) =>
        f.kind === 'bool'
          ? ''
          : `if (${v} < ${num(f.lo)} || ${v} > ${num(f.hi)}) throw ERR('${owner}: sets ${where} to ' + ${v} + ', outside ${f.lo}..${f.hi}', S, b);`;
      if (e.kind === 'assign') {
        let slot = `b + ${f.offset + (f.kind === 'seq' ? 1 : 0)}`;
        // For messages: the field with its indices, as JS string pieces.
        let where = f.name;
        if (e.indices.length > 0) {
          const idx = e.indices.map((ix) => {
            const t = this.fresh();
            out.push(`const ${t} = ${this.expr(ix, out, locals)};`);
            return t;
          });
          const ix = this.fresh();
          out.push(`const ${ix} = ${flatten(idx, f.dims)};`);
          slot += ` + ${ix}`;
          where += idx.map((t) => `[' + ${t} + ']`).join('');
        }
        const v = this.fresh();
        const value = this.expr(e.value, out, locals);
        if (e.op === '=')
          out.push(`const ${v} = ${f.kind === 'bool' ? `(${value} ? 1 : 0)` : value};`);
        else out.push(`const ${v} = S[${slot}] ${e.op === '+=' ? '+' : '-'} ${value};`);
        out.push(inRange(v, where));
        write(slot, v);
        continue;
      }
      const L = this.fresh('len');
      out.push(`const ${L} = S[${lenSlot}];`);
      if (e.kind === 'push' || e.kind === 'insert') {
        const at = e.kind === 'insert' ? this.fresh('at') : L;
        if (e.kind === 'insert') out.push(`const ${at} = ${this.expr(e.at, out, locals)};`);
        const v = this.fresh();
        out.push(`const ${v} = ${this.expr(e.value, out, locals)};`);
        out.push(`if (${L} >= ${f.size}) ${fail(`${e.kind} onto full sequence '${f.name}'`)}`);
        if (e.kind === 'insert') {
          out.push(
            `if (${at} < 0 || ${at} > ${L}) ${fail(`insert into '${f.name}' at position `, ` + ${at} + ' of ' + ${L}`)}`,
          );
        }
        out.push(inRange(v, `an item of ${f.name}`));
        if (e.kind === 'insert') {
          // Shift first (reading the old items), then place the new one.
          writes.push(`for (let k = ${L}; k > ${at}; k--) O[${items} + k] = S[${items} + k - 1];`);
        }
        writes.push(`O[${items} + ${at}] = ${v};`, `O[${lenSlot}] = ${L} + 1;`);
        continue;
      }
      const at = e.kind === 'remove' ? this.fresh('at') : `(${L} - 1)`;
      if (e.kind === 'remove') out.push(`const ${at} = ${this.expr(e.at, out, locals)};`);
      out.push(`if (${L} <= 0) ${fail(`${e.kind} from empty sequence '${f.name}'`)}`);
      if (e.kind === 'remove') {
        out.push(
          `if (${at} < 0 || ${at} >= ${L}) ${fail(`remove from '${f.name}' at position `, ` + ${at} + ' of ' + ${L}`)}`,
        );
        writes.push(
          `for (let k = ${at}; k < ${L} - 1; k++) O[${items} + k] = S[${items} + k + 1];`,
        );
      }
      writes.push(`O[${items} + ${L} - 1] = ${num(f.pad)};`, `O[${lenSlot}] = ${L} - 1;`);
    }
  }

  /** The flat position of `f[i][j]...` among the field's elements. */
  flatIndex(f: FieldLayout, indices: Expr[], out: string[], locals: Map<string, string>): string {
    return flatten(
      indices.map((ix) => this.expr(ix, out, locals)),
      f.dims,
    );
  }
}

/** Row-major position of the indices `idx` (JS expressions) in an array of the given dims. */
function flatten(idx: string[], dims: number[]): string {
  let flat = idx[0]!;
  for (let k = 1; k < idx.length; k++) flat = `(${flat}) * ${dims[k]!} + ${idx[k]!}`;
  return flat;
}
