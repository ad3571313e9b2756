import { type Binder, type Expr, type Loc, TABLE_OP } from '../syntax/ast.js';
import { type Diagnostic, diagnostic } from '../diagnostics.js';
import type { CheckedSpec } from './validate-spec.js';

/** A constant: a number (bools are 0/1) or a nested list of them. */
export type ConstValue = number | ConstValue[];

/** Thrown inside constant evaluation; caught at the declaration and turned into a diagnostic. */
export class ConstError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

/**
 * Evaluates expressions that must not depend on the state: parameter defaults and ranges,
 * constant tables, sizes, field ranges, action parameter ranges and the initial state.
 * Parameters and constants are looked up lazily, so declaration order does not matter.
 */
export class ConstantEvaluator {
  private readonly values = new Map<string, ConstValue>();
  private readonly pending: string[] = [];

  constructor(
    private readonly checked: CheckedSpec,
    private readonly paramValues: Map<string, number>,
  ) {}

  value(name: string, loc: Loc): ConstValue {
    const known = this.values.get(name) ?? this.paramValues.get(name);
    if (known !== undefined) return known;
    const c = this.checked.consts.get(name);
    if (!c) throw new ConstError('E409', `'${name}' is not a constant here`, loc);
    if (this.pending.includes(name)) {
      throw new ConstError('E312', `'${name}' is defined in terms of itself`, c.loc);
    }
    this.pending.push(name);
    const dims = c.dims.map((d) => this.int(d, `size of '${name}'`));
    let v = this.eval(c.value, new Map());
    this.pending.pop();
    // A single value fills a table of any shape.
    if (typeof v === 'number' && dims.length > 0) v = filled(v, dims);
    checkShape(name, v, dims, c.value.loc);
    this.values.set(name, v);
    return v;
  }

  int(e: Expr, what: string, locals = new Map<string, number>()): number {
    const v = this.eval(e, locals);
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new ConstError('E404', `${what} must be a whole number, got ${String(v)}`, e.loc);
    }
    return v;
  }

  number(e: Expr, what: string, locals = new Map<string, number>()): number {
    const v = this.eval(e, locals);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConstError('E404', `${what} must be a finite number, got ${String(v)}`, e.loc);
    }
    return v;
  }

  eval(e: Expr, locals: Map<string, number>): ConstValue {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'bool':
        return e.value ? 1 : 0;
      case 'array':
        return e.items.map((x) => this.eval(x, locals));
      case 'name': {
        const local = locals.get(e.name);
        return local !== undefined ? local : this.value(e.name, e.loc);
      }
      case 'index': {
        const target = this.eval(e.target, locals);
        const i = this.eval(e.index, locals);
        if (!Array.isArray(target) || typeof i !== 'number' || !(i >= 0 && i < target.length)) {
          throw new ConstError('E406', `index ${String(i)} is outside the array`, e.loc);
        }
        return target[i]!;
      }
      case 'unary': {
        const v = this.scalar(e.operand, locals);
        return e.op === '-' ? -v : v ? 0 : 1;
      }
      case 'binary': {
        const a = this.scalar(e.left, locals);
        if (e.op === 'and' && !a) return 0;
        if (e.op === 'or' && a) return 1;
        const b = this.scalar(e.right, locals);
        return applyBinary(e.op, a, b);
      }
      case 'if':
        return this.scalar(e.cond, locals) ? this.eval(e.then, locals) : this.eval(e.else, locals);
      case 'call': {
        const args = e.args.map((a) => this.eval(a, locals));
        if (e.name === 'len' || e.name === 'last') {
          const arr = args[0];
          if (!Array.isArray(arr))
            throw new ConstError('E201', `'${e.name}' needs an array`, e.loc);
          return e.name === 'len' ? arr.length : (arr[arr.length - 1] ?? -1);
        }
        if (args.some((a) => typeof a !== 'number')) {
          throw new ConstError('E204', 'an array is used where a single value is needed', e.loc);
        }
        const fn = BUILTIN_MATH[e.name];
        if (!fn) throw new ConstError('E409', `'${e.name}' cannot be used in a constant`, e.loc);
        return fn(args as number[]);
      }
      case 'aggregate': {
        if (e.op === TABLE_OP) return this.table(e.binders, e.body, locals);
        const values: number[] = [];
        const loop = (k: number, scope: Map<string, number>): void => {
          if (k === e.binders.length) {
            values.push(this.scalar(e.body, scope));
            return;
          }
          const b = e.binders[k]!;
          const lo = this.int(b.lo, `range of '${b.name}'`, scope);
          const hi = this.int(b.hi, `range of '${b.name}'`, scope);
          if (hi - lo > 1_000_000)
            throw new ConstError('E404', `range of '${b.name}' is too long`, b.loc);
          for (let v = lo; v <= hi; v++) loop(k + 1, new Map(scope).set(b.name, v));
        };
        loop(0, locals);
        return aggregate(e.op, values);
      }
    }
  }

  /** `table(i in a..b, j in c..d: body)`: nested lists, one level per binder. */
  private table(binders: Binder[], body: Expr, locals: Map<string, number>): ConstValue {
    if (binders.length === 0) return this.scalar(body, locals);
    const [b, ...rest] = binders as [Binder, ...Binder[]];
    const lo = this.int(b.lo, `range of '${b.name}'`, locals);
    const hi = this.int(b.hi, `range of '${b.name}'`, locals);
    if (hi - lo > 1_000_000)
      throw new ConstError('E404', `range of '${b.name}' is too long`, b.loc);
    const out: ConstValue[] = [];
    for (let v = lo; v <= hi; v++) out.push(this.table(rest, body, new Map(locals).set(b.name, v)));
    return out;
  }

  private scalar(e: Expr, locals: Map<string, number>): number {
    const v = this.eval(e, locals);
    if (typeof v !== 'number')
      throw new ConstError('E204', 'an array is used where a single value is needed', e.loc);
    return v;
  }
}

function filled(v: number, dims: number[]): ConstValue {
  return dims.length === 0 ? v : Array.from({ length: dims[0]! }, () => filled(v, dims.slice(1)));
}

function checkShape(name: string, v: ConstValue, dims: number[], loc: Loc): void {
  const walk = (x: ConstValue, depth: number): void => {
    if (depth === dims.length) return;
    if (!Array.isArray(x) || x.length !== dims[depth]) {
      const got = Array.isArray(x) ? `${x.length} items` : 'a single value';
      throw new ConstError(
        'E405',
        `'${name}' is declared with ${dims[depth]} items at depth ${depth + 1}, got ${got}`,
        loc,
      );
    }
    for (const item of x) walk(item, depth + 1);
  };
  walk(v, 0);
}

export const BUILTIN_MATH: Record<string, (a: number[]) => number> = {
  abs: ([x]) => Math.abs(x!),
  min: (xs) => Math.min(...xs),
  max: (xs) => Math.max(...xs),
  exp: ([x]) => Math.exp(x!),
  log: ([x]) => Math.log(x!),
  sqrt: ([x]) => Math.sqrt(x!),
  floor: ([x]) => Math.floor(x!),
  ceil: ([x]) => Math.ceil(x!),
  round: ([x]) => Math.round(x!),
};

export function applyBinary(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case 'and':
      return a && b ? 1 : 0;
    default:
      return a || b ? 1 : 0;
  }
}

function aggregate(op: string, values: number[]): number {
  switch (op) {
    case 'all':
      return values.every((v) => v) ? 1 : 0;
    case 'any':
      return values.some((v) => v) ? 1 : 0;
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'prod':
      return values.reduce((s, v) => s * v, 1);
    case 'count':
      return values.filter((v) => v).length;
    case 'min':
      return values.length ? Math.min(...values) : Infinity;
    default:
      return values.length ? Math.max(...values) : -Infinity;
  }
}

/** Runs `f`, turning a ConstError into a diagnostic. */
export function catchConst<T>(diags: Diagnostic[], f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof ConstError) {
      diags.push(diagnostic(err.code, err.message, err.loc));
      return undefined;
    }
    throw err;
  }
}
