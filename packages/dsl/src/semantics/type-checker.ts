import {
  AGGREGATE_OPS,
  type Binder,
  TABLE_OP,
  type ConstDecl,
  type Expr,
  type ExternDecl,
  type FieldDecl,
  type LetDecl,
  type Loc,
  type ParamDecl,
  type ScalarType,
} from '../syntax/ast.js';
import { type Diagnostic, diagnostic } from '../diagnostics.js';

/** The type of an expression: a scalar, or an array of scalars (sequences are int arrays). */
export type Ty =
  { t: 'int' | 'float' | 'bool' } | { t: 'array'; elem: ScalarType; rank: number } | { t: 'error' };

export const INT: Ty = { t: 'int' };
const FLOAT: Ty = { t: 'float' };
const BOOL: Ty = { t: 'bool' };
const ERROR: Ty = { t: 'error' };

/** Built-in functions and their arities (min, max). */
export const BUILTINS: Record<string, [number, number]> = {
  abs: [1, 1],
  min: [2, 8],
  max: [2, 8],
  exp: [1, 1],
  log: [1, 1],
  sqrt: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  round: [1, 1],
  len: [1, 1],
  last: [1, 1],
  reach: [3, 3],
};

/** Where an expression sits, which decides what it may refer to. */
export type Context = 'constant' | 'guard' | 'effect' | 'reward' | 'state';

export interface Scope {
  /** Local names (binders and let parameters) with their types. */
  locals: Map<string, Ty>;
  context: Context;
}

/**
 * The symbol tables of a spec and the typing of its expressions: names, types, arity, where
 * state and extern functions may appear. The Validator fills the tables and checks structure.
 */
export abstract class TypeChecker {
  protected readonly diags: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  protected readonly params = new Map<string, ParamDecl>();
  protected readonly consts = new Map<string, ConstDecl>();
  protected readonly fields = new Map<string, FieldDecl>();
  protected readonly lets = new Map<string, LetDecl>();
  protected readonly externs = new Map<string, ExternDecl>();
  private readonly letStack: string[] = [];
  private readonly letValueTypes = new Map<string, Ty>();

  protected report(code: string, message: string, loc: Loc): void {
    const key = `${code}:${loc.line}:${loc.column}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diags.push(diagnostic(code, message, loc));
  }

  protected scope(context: Context, locals = new Map<string, Ty>()): Scope {
    return { locals, context };
  }

  protected constantScope(): Scope {
    return this.scope('constant');
  }

  protected declareLocal(locals: Map<string, Ty>, name: string, loc: Loc): void {
    if (locals.has(name) || this.isGlobal(name)) {
      this.report('E102', `'${name}' is already defined; choose another name`, loc);
    }
    locals.set(name, INT);
  }

  protected isGlobal(name: string): boolean {
    return (
      this.params.has(name) ||
      this.consts.has(name) ||
      this.fields.has(name) ||
      this.lets.has(name) ||
      this.externs.has(name)
    );
  }

  protected expectNumeric(e: Expr, scope: Scope, what: string): Ty {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && !isNumeric(ty))
      this.report('E201', `${what} must be a number, not ${show(ty)}`, e.loc);
    return ty;
  }

  protected expectInt(e: Expr, scope: Scope, what: string): void {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && ty.t !== 'int')
      this.report('E201', `${what} must be an int, not ${show(ty)}`, e.loc);
  }

  protected expectBool(e: Expr, scope: Scope, what: string): void {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && ty.t !== 'bool')
      this.report('E201', `${what} must be a condition (bool), not ${show(ty)}`, e.loc);
  }

  protected expectIntConstant(e: Expr, what: string): void {
    if (e.kind === 'num' && !e.isInt)
      this.report('E201', `${what} must be an int, not ${e.value}`, e.loc);
  }

  protected typeOf(e: Expr, scope: Scope): Ty {
    switch (e.kind) {
      case 'num':
        return e.isInt ? INT : FLOAT;
      case 'bool':
        return BOOL;
      case 'array':
        this.report(
          'E201',
          'a list [...] can only initialise a constant table or a state field',
          e.loc,
        );
        return ERROR;
      case 'name':
        return this.nameType(e.name, e.loc, scope);
      case 'index': {
        const target = this.typeOf(e.target, scope);
        this.expectInt(e.index, scope, 'an index');
        if (target.t === 'error') return ERROR;
        if (target.t !== 'array') {
          this.report('E203', `${show(target)} value cannot be indexed`, e.loc);
          return ERROR;
        }
        return target.rank > 1
          ? { t: 'array', elem: target.elem, rank: target.rank - 1 }
          : { t: target.elem };
      }
      case 'unary': {
        if (e.op === 'not') {
          this.expectBool(e.operand, scope, "the operand of 'not'");
          return BOOL;
        }
        const ty = this.expectNumeric(e.operand, scope, "the operand of '-'");
        return ty.t === 'float' ? FLOAT : ty.t === 'error' ? ERROR : INT;
      }
      case 'binary':
        return this.binaryType(e, scope);
      case 'if': {
        this.expectBool(e.cond, scope, "the condition of 'if'");
        const a = this.scalar(this.typeOf(e.then, scope), e.then.loc);
        const b = this.scalar(this.typeOf(e.else, scope), e.else.loc);
        if (a.t === 'error' || b.t === 'error') return ERROR;
        if ((a.t === 'bool') !== (b.t === 'bool')) {
          this.report('E201', `the branches of 'if' differ: ${show(a)} and ${show(b)}`, e.loc);
          return ERROR;
        }
        if (a.t === 'bool') return BOOL;
        return a.t === 'int' && b.t === 'int' ? INT : FLOAT;
      }
      case 'aggregate':
        return this.aggregateType(e, scope);
      case 'call':
        return this.callType(e, scope);
    }
  }

  private scalar(ty: Ty, loc: Loc): Ty {
    if (ty.t === 'array') {
      this.report('E204', `an array is used where a single value is needed`, loc);
      return ERROR;
    }
    return ty;
  }

  private nameType(name: string, loc: Loc, scope: Scope): Ty {
    const local = scope.locals.get(name);
    if (local) return local;
    const p = this.params.get(name);
    if (p) return p.type === 'int' ? INT : FLOAT;
    const c = this.consts.get(name);
    if (c)
      return c.dims.length === 0
        ? { t: c.elem }
        : { t: 'array', elem: c.elem, rank: c.dims.length };
    const f = this.fields.get(name);
    if (f) {
      if (scope.context === 'constant') {
        this.report(
          'E409',
          `'${name}' is a state field; this value must not depend on the state`,
          loc,
        );
        return ERROR;
      }
      const elem: ScalarType = f.type.kind === 'bool' ? 'bool' : 'int';
      if (f.type.kind === 'seq') return { t: 'array', elem, rank: 1 };
      if (f.type.dims.length > 0) return { t: 'array', elem, rank: f.type.dims.length };
      return { t: elem };
    }
    const l = this.lets.get(name);
    if (l) {
      if (l.isFunction) {
        this.report('E202', `'${name}' is a function; call it as ${name}(...)`, loc);
        return ERROR;
      }
      if (scope.context === 'constant') {
        this.report('E409', `'${name}' may depend on the state; this value must not`, loc);
        return ERROR;
      }
      return this.letValueType(l, scope);
    }
    if (this.externs.has(name)) {
      this.report('E202', `'${name}' is an extern function; call it as ${name}(...)`, loc);
      return ERROR;
    }
    this.report('E101', `unknown name '${name}'${this.suggest(name, scope)}`, loc);
    return ERROR;
  }

  private suggest(name: string, scope: Scope): string {
    const candidates = [
      ...scope.locals.keys(),
      ...this.params.keys(),
      ...this.consts.keys(),
      ...this.fields.keys(),
      ...this.lets.keys(),
    ];
    const best = candidates.find(
      (c) => editDistance(c, name) <= Math.max(1, Math.floor(name.length / 3)),
    );
    return best ? `; did you mean '${best}'?` : '';
  }

  /** True (with an E312) when `l` is being checked already: it refers to itself. */

  private isRecursive(l: LetDecl): boolean {
    if (!this.letStack.includes(l.name)) return false;
    const chain = [...this.letStack, l.name].join(' -> ');
    this.report('E312', `'${l.name}' is defined in terms of itself (${chain})`, l.loc);
    return true;
  }

  protected letValueType(l: LetDecl, scope: Scope): Ty {
    const cached = this.letValueTypes.get(`${l.name}:${scope.context}`);
    if (cached) return cached;
    if (this.isRecursive(l)) return ERROR;
    this.letStack.push(l.name);
    const ty = this.typeOf(l.body, this.scope(scope.context));
    this.letStack.pop();
    this.letValueTypes.set(`${l.name}:${scope.context}`, ty);
    return ty;
  }

  private binaryType(e: Extract<Expr, { kind: 'binary' }>, scope: Scope): Ty {
    if (e.op === 'and' || e.op === 'or') {
      this.expectBool(e.left, scope, `the left side of '${e.op}'`);
      this.expectBool(e.right, scope, `the right side of '${e.op}'`);
      return BOOL;
    }
    const a = this.scalar(this.typeOf(e.left, scope), e.left.loc);
    const b = this.scalar(this.typeOf(e.right, scope), e.right.loc);
    if (a.t === 'error' || b.t === 'error')
      return e.op === '==' || e.op === '!=' || isComparison(e.op) ? BOOL : ERROR;
    if (e.op === '==' || e.op === '!=') {
      if ((a.t === 'bool') !== (b.t === 'bool')) {
        this.report('E201', `'${e.op}' compares ${show(a)} with ${show(b)}`, e.loc);
      }
      return BOOL;
    }
    for (const [side, ty] of [
      ['left', a],
      ['right', b],
    ] as const) {
      if (!isNumeric(ty))
        this.report(
          'E201',
          `the ${side} side of '${e.op}' must be a number, not ${show(ty)}`,
          e.loc,
        );
    }
    if (isComparison(e.op)) return BOOL;
    if (e.op === '/') return FLOAT;
    return a.t === 'float' || b.t === 'float' ? FLOAT : INT;
  }

  private aggregateType(e: Extract<Expr, { kind: 'aggregate' }>, scope: Scope): Ty {
    if (e.op === TABLE_OP) return this.tableType(e, scope);
    if (!(AGGREGATE_OPS as readonly string[]).includes(e.op)) {
      this.report(
        'E103',
        `'${e.op}' is not an aggregate; use one of ${AGGREGATE_OPS.join(', ')}`,
        e.loc,
      );
      return ERROR;
    }
    const inner = this.bindersScope(e.binders, scope);
    if (e.op === 'all' || e.op === 'any' || e.op === 'count') {
      this.expectBool(e.body, inner, `the body of '${e.op}'`);
      return e.op === 'count' ? INT : BOOL;
    }
    const ty = this.expectNumeric(e.body, inner, `the body of '${e.op}'`);
    if (ty.t === 'error') return ERROR;
    return ty.t === 'float' ? FLOAT : INT;
  }

  /** The scope inside `op(i in lo..hi, ...: body)`: each range may use the earlier binders. */
  private bindersScope(binders: Binder[], scope: Scope): Scope {
    const locals = new Map(scope.locals);
    for (const b of binders) {
      this.expectInt(b.lo, { locals, context: scope.context }, `range of '${b.name}'`);
      this.expectInt(b.hi, { locals, context: scope.context }, `range of '${b.name}'`);
      this.declareLocal(locals, b.name, b.loc);
    }
    return { locals, context: scope.context };
  }

  /** `table(i in 0..n-1, ...: body)`: a constant table with one dimension per binder. */
  private tableType(e: Extract<Expr, { kind: 'aggregate' }>, scope: Scope): Ty {
    if (scope.context !== 'constant') {
      this.report(
        'E201',
        "'table(...)' computes a constant table; use it as the value of a 'const'",
        e.loc,
      );
      return ERROR;
    }
    const ty = this.scalar(this.typeOf(e.body, this.bindersScope(e.binders, scope)), e.body.loc);
    if (ty.t === 'error' || ty.t === 'array') return ERROR;
    return { t: 'array', elem: ty.t, rank: e.binders.length };
  }

  private callType(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Ty {
    const arity = BUILTINS[e.name];
    if (arity) return this.builtinType(e, arity, scope);
    const l = this.lets.get(e.name);
    if (l) {
      if (!l.isFunction) {
        this.report('E202', `'${e.name}' is a value, not a function`, e.loc);
        return ERROR;
      }
      if (!this.arityMatches(e, l.params.length)) return ERROR;
      if (scope.context === 'constant') {
        this.report('E409', `'${e.name}' may depend on the state; this value must not`, e.loc);
        return ERROR;
      }
      if (this.isRecursive(l)) return ERROR;
      // Let functions take single values: their body is expanded with the arguments as numbers.
      const locals = new Map<string, Ty>();
      l.params.forEach((p, i) =>
        locals.set(p.name, this.scalar(this.typeOf(e.args[i]!, scope), e.args[i]!.loc)),
      );
      this.letStack.push(l.name);
      const ty = this.typeOf(l.body, { locals, context: scope.context });
      this.letStack.pop();
      return ty;
    }
    const x = this.externs.get(e.name);
    if (x) {
      // The reward and `mode` may call any extern; guards (and `terminal when`) only one
      // declared deterministic, since a mask must give the same answer each time.
      const allowed =
        scope.context === 'reward' ||
        scope.context === 'state' ||
        (scope.context === 'guard' && x.deterministic);
      if (!allowed) {
        const where =
          scope.context === 'guard'
            ? `; declare it 'extern ${e.name}(...): ${x.returns} deterministic' to call it in a guard`
            : ' (reward, mode, and guards when declared deterministic)';
        this.report('E311', `extern '${e.name}' cannot be used here${where}`, e.loc);
        return ERROR;
      }
      if (!this.arityMatches(e, x.params.length)) return ERROR;
      x.params.forEach((p, i) => {
        const arg = e.args[i]!;
        const ty = this.typeOf(arg, scope);
        if (ty.t === 'error') return;
        // An array argument is a whole field or table, passed flat (row by row).
        const ok = p.array
          ? ty.t === 'array' && arg.kind === 'name' && (p.type === 'bool') === (ty.elem === 'bool')
          : ty.t !== 'array' && (p.type === 'bool') === (ty.t === 'bool');
        if (!ok) {
          this.report(
            'E201',
            `argument '${p.name}' of '${e.name}' must be ${p.array ? `a whole ${p.type} field or table` : p.type}, not ${ty.t === 'array' && p.array ? 'a part of one' : show(ty)}`,
            arg.loc,
          );
        }
      });
      return { t: x.returns };
    }
    this.report('E103', `unknown function '${e.name}'`, e.loc);
    return ERROR;
  }

  /** `reach(e, i, j)`: a path i -> ... -> j along the true entries of a bool[n][n] field. */
  private reachType(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Ty {
    const [graph, from, to] = e.args as [Expr, Expr, Expr];
    const f = graph.kind === 'name' ? this.fields.get(graph.name) : undefined;
    if (!f || f.type.kind !== 'bool' || f.type.dims.length !== 2) {
      this.report(
        'E201',
        "'reach' needs a state field declared bool[n][n] (an adjacency matrix) as its first argument",
        graph.loc,
      );
    } else this.typeOf(graph, scope);
    this.expectInt(from, scope, "the start node of 'reach'");
    this.expectInt(to, scope, "the end node of 'reach'");
    return BOOL;
  }

  private arityMatches(e: Extract<Expr, { kind: 'call' }>, want: number): boolean {
    if (e.args.length === want) return true;
    this.report('E202', `'${e.name}' takes ${want} arguments, not ${e.args.length}`, e.loc);
    return false;
  }

  private builtinType(
    e: Extract<Expr, { kind: 'call' }>,
    [lo, hi]: [number, number],
    scope: Scope,
  ): Ty {
    if (e.args.length < lo || e.args.length > hi) {
      const want = lo === hi ? `${lo}` : `${lo} to ${hi}`;
      this.report('E202', `'${e.name}' takes ${want} arguments, not ${e.args.length}`, e.loc);
      return ERROR;
    }
    if (e.name === 'reach') return this.reachType(e, scope);
    if (e.name === 'len' || e.name === 'last') {
      const ty = this.typeOf(e.args[0]!, scope);
      if (ty.t === 'error') return ERROR;
      if (ty.t !== 'array' || ty.rank !== 1) {
        this.report(
          'E201',
          `'${e.name}' needs an array or a sequence, not ${show(ty)}`,
          e.args[0]!.loc,
        );
        return ERROR;
      }
      return e.name === 'len' ? INT : { t: ty.elem };
    }
    const types = e.args.map((a) => this.expectNumeric(a, scope, `the argument of '${e.name}'`));
    if (types.some((t) => t.t === 'error')) return ERROR;
    if (['exp', 'log', 'sqrt'].includes(e.name)) return FLOAT;
    if (['floor', 'ceil', 'round'].includes(e.name)) return INT;
    return types.some((t) => t.t === 'float') ? FLOAT : INT;
  }
}

export function isNumeric(ty: Ty): boolean {
  return ty.t === 'int' || ty.t === 'float' || ty.t === 'bool';
}

function isComparison(op: string): boolean {
  return op === '<' || op === '<=' || op === '>' || op === '>=';
}

export function show(ty: Ty): string {
  if (ty.t === 'array') return `an array of ${ty.elem}${ty.rank > 1 ? ` (rank ${ty.rank})` : ''}`;
  return ty.t;
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
