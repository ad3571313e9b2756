import {
  AGGREGATE_OPS,
  type ActionDecl,
  type ConstDecl,
  type Decl,
  type Effect,
  type Expr,
  type ExternDecl,
  type FieldDecl,
  type LetDecl,
  type Loc,
  type ParamDecl,
  type ParentDecl,
  type ScalarType,
  type Spec,
  walkExpr,
} from './ast.js';
import { type Diagnostic, diagnostic, sortDiagnostics } from './diagnostics.js';

/** The type of an expression: a scalar, or an array of scalars (sequences are int arrays). */
export type Ty =
  { t: 'int' | 'float' | 'bool' } | { t: 'array'; elem: ScalarType; rank: number } | { t: 'error' };

const INT: Ty = { t: 'int' };
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
};

/** Where an expression sits, which decides what it may refer to. */
type Context = 'constant' | 'guard' | 'effect' | 'reward' | 'state';

/** The declarations of a spec that passed validation, by kind and name. */
export interface CheckedSpec {
  spec: Spec;
  params: ParamDecl[];
  consts: Map<string, ConstDecl>;
  fields: FieldDecl[];
  fieldsByName: Map<string, FieldDecl>;
  init: Map<string, Expr>;
  actions: ActionDecl[];
  stop: ActionDecl | null;
  parents: Map<string, ParentDecl>;
  terminal: Expr | null;
  lets: Map<string, LetDecl>;
  externs: Map<string, ExternDecl>;
  reward: { log: boolean; body: Expr };
  mode: { cond: Expr; key: Expr | null } | null;
}

interface Scope {
  /** Local names (binders and let parameters) with their types. */
  locals: Map<string, Ty>;
  context: Context;
}

/**
 * Checks names, types, arity and the structure of a spec. Returns every diagnostic it finds and,
 * when there are no errors, the spec's declarations organised for the compiler.
 */
export function validateSpec(spec: Spec): {
  checked: CheckedSpec | null;
  diagnostics: Diagnostic[];
} {
  return new Validator(spec).run();
}

class Validator {
  private readonly diags: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly params = new Map<string, ParamDecl>();
  private readonly consts = new Map<string, ConstDecl>();
  private readonly fields = new Map<string, FieldDecl>();
  private readonly lets = new Map<string, LetDecl>();
  private readonly externs = new Map<string, ExternDecl>();
  private readonly letStack: string[] = [];
  private readonly letValueTypes = new Map<string, Ty>();

  constructor(private readonly spec: Spec) {}

  private report(code: string, message: string, loc: Loc): void {
    const key = `${code}:${loc.line}:${loc.column}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diags.push(diagnostic(code, message, loc));
  }

  run(): { checked: CheckedSpec | null; diagnostics: Diagnostic[] } {
    const { decls } = this.spec;
    const of = <K extends Decl['kind']>(kind: K) =>
      decls.filter((d): d is Extract<Decl, { kind: K }> => d.kind === kind);

    this.declareGlobals(decls);
    const states = of('state');
    const rewards = of('reward');
    const inits = of('init');
    const terminals = of('terminal');
    const modes = of('mode');
    if (states.length === 0)
      this.report('E301', "the spec declares no state: add 'state { ... }'", this.spec.loc);
    if (rewards.length === 0) {
      this.report('E302', "the spec declares no reward: add 'reward <expression>'", this.spec.loc);
    }
    for (const [list, what] of [
      [states, 'state'],
      [rewards, 'reward'],
      [inits, 'init'],
      [terminals, 'terminal when'],
      [modes, 'mode'],
    ] as const) {
      for (const d of list.slice(1))
        this.report('E303', `'${what}' is declared more than once`, d.loc);
    }

    for (const p of this.params.values()) {
      this.expectNumeric(p.default, this.constantScope(), `default of parameter '${p.name}'`);
      if (p.type === 'int')
        this.expectIntConstant(p.default, `default of int parameter '${p.name}'`);
      if (p.lo) this.expectNumeric(p.lo, this.constantScope(), `range of '${p.name}'`);
      if (p.hi) this.expectNumeric(p.hi, this.constantScope(), `range of '${p.name}'`);
    }
    for (const c of this.consts.values()) this.checkConst(c);
    for (const f of this.fields.values()) this.checkField(f);
    const init = this.checkInit(inits[0]?.assigns ?? []);

    const { actions, stop, parents } = this.checkActions(of('action'), of('parent'));
    const terminal = terminals[0]?.cond ?? null;
    if (terminal) this.expectBool(terminal, this.scope('guard'), "'terminal when'");
    if (!stop && !terminal && states.length > 0) {
      this.report(
        'E304',
        "no way to terminate: declare a stop action ('action done stop') or 'terminal when <condition>'",
        this.spec.loc,
      );
    }
    for (const l of this.lets.values()) this.checkLetDecl(l);
    for (const x of this.externs.values()) {
      if (x.returns === 'bool')
        this.report('E201', `extern '${x.name}' must return int or float`, x.loc);
    }
    const reward = rewards[0];
    if (reward) this.expectNumeric(reward.body, this.scope('reward'), 'the reward');
    const mode = modes[0];
    if (mode) {
      this.expectBool(mode.cond, this.scope('state'), "'mode when'");
      if (mode.key) this.expectInt(mode.key, this.scope('state'), "the mode key after 'by'");
    }

    sortDiagnostics(this.diags);
    if (this.diags.some((d) => d.severity === 'error') || !reward) {
      return { checked: null, diagnostics: this.diags };
    }
    return {
      checked: {
        spec: this.spec,
        params: [...this.params.values()],
        consts: this.consts,
        fields: [...this.fields.values()],
        fieldsByName: this.fields,
        init,
        actions,
        stop,
        parents,
        terminal,
        lets: this.lets,
        externs: this.externs,
        reward: { log: reward.log, body: reward.body },
        mode: mode ? { cond: mode.cond, key: mode.key } : null,
      },
      diagnostics: this.diags,
    };
  }

  private declareGlobals(decls: Decl[]): void {
    const global = new Map<string, Loc>();
    const declare = (name: string, loc: Loc): boolean => {
      if (BUILTINS[name] || (AGGREGATE_OPS as readonly string[]).includes(name)) {
        this.report('E104', `'${name}' is a built-in function and cannot be redefined`, loc);
        return false;
      }
      const prev = global.get(name);
      if (prev) {
        this.report('E102', `'${name}' is already defined (line ${prev.line})`, loc);
        return false;
      }
      global.set(name, loc);
      return true;
    };
    for (const d of decls) {
      if (d.kind === 'param' && declare(d.name, d.loc)) this.params.set(d.name, d);
      if (d.kind === 'const' && declare(d.name, d.loc)) this.consts.set(d.name, d);
      if (d.kind === 'let' && declare(d.name, d.loc)) this.lets.set(d.name, d);
      if (d.kind === 'extern' && declare(d.name, d.loc)) this.externs.set(d.name, d);
      if (d.kind === 'state') {
        for (const f of d.fields) if (declare(f.name, f.loc)) this.fields.set(f.name, f);
      }
    }
  }

  private scope(context: Context, locals = new Map<string, Ty>()): Scope {
    return { locals, context };
  }

  private constantScope(): Scope {
    return this.scope('constant');
  }

  private checkConst(c: ConstDecl): void {
    for (const d of c.dims) this.expectInt(d, this.constantScope(), `size of '${c.name}'`);
    const want = c.dims.length;
    const check = (e: Expr, depth: number): void => {
      if (depth < want) {
        if (e.kind !== 'array') {
          this.report('E405', `'${c.name}' needs a nested list ${want} deep here`, e.loc);
          return;
        }
        for (const item of e.items) check(item, depth + 1);
        return;
      }
      const ty = this.typeOf(e, this.constantScope());
      if (c.elem === 'bool' ? ty.t !== 'bool' && ty.t !== 'error' : !isNumeric(ty)) {
        this.report('E201', `'${c.name}' holds ${c.elem} values, not ${show(ty)}`, e.loc);
      } else if (c.elem === 'int' && ty.t === 'float') {
        this.report('E201', `'${c.name}' holds int values, not float`, e.loc);
      }
    };
    check(c.value, 0);
  }

  private checkField(f: FieldDecl): void {
    const type = f.type;
    if (type.size) this.expectInt(type.size, this.constantScope(), `size of field '${f.name}'`);
    if (type.kind !== 'bool') {
      this.expectInt(type.lo, this.constantScope(), `range of field '${f.name}'`);
      this.expectInt(type.hi, this.constantScope(), `range of field '${f.name}'`);
    }
  }

  private checkInit(assigns: { name: string; value: Expr; loc: Loc }[]): Map<string, Expr> {
    const out = new Map<string, Expr>();
    for (const a of assigns) {
      const f = this.fields.get(a.name);
      if (!f) {
        this.report('E313', `'init' sets '${a.name}', which is not a state field`, a.loc);
        continue;
      }
      if (out.has(a.name)) {
        this.report('E313', `'init' sets '${a.name}' twice`, a.loc);
        continue;
      }
      out.set(a.name, a.value);
      const elem: ScalarType = f.type.kind === 'bool' ? 'bool' : 'int';
      const values = a.value.kind === 'array' ? a.value.items : [a.value];
      if (a.value.kind === 'array' && f.type.kind !== 'seq' && !f.type.size) {
        this.report('E313', `'${a.name}' is a single value; initialise it with one`, a.value.loc);
      }
      for (const v of values) {
        const ty = this.typeOf(v, this.constantScope());
        if (ty.t === 'error') continue;
        if (elem === 'bool' ? ty.t !== 'bool' : ty.t !== 'int') {
          this.report('E201', `'${a.name}' holds ${elem} values, not ${show(ty)}`, v.loc);
        }
      }
    }
    return out;
  }

  private checkActions(
    actionDecls: ActionDecl[],
    parentDecls: ParentDecl[],
  ): { actions: ActionDecl[]; stop: ActionDecl | null; parents: Map<string, ParentDecl> } {
    const byName = new Map<string, ActionDecl>();
    let stop: ActionDecl | null = null;
    const actions: ActionDecl[] = [];
    for (const a of actionDecls) {
      const prev = byName.get(a.name);
      if (prev) {
        this.report('E102', `action '${a.name}' is already defined (line ${prev.loc.line})`, a.loc);
        continue;
      }
      byName.set(a.name, a);
      const locals = this.binderScope(a.binders);
      if (a.guard)
        this.expectBool(a.guard, this.scope('guard', locals), `the guard of '${a.name}'`);
      if (a.effects === null) {
        if (stop) {
          this.report(
            'E305',
            `'${a.name}' is a second stop action ('${stop.name}' is the first)`,
            a.loc,
          );
        } else stop = a;
        if (a.binders.length > 0) {
          this.report('E202', `the stop action '${a.name}' takes no parameters`, a.binders[0]!.loc);
        }
      } else {
        actions.push(a);
        this.checkEffects(a.effects, locals, a.name);
      }
    }
    const parents = new Map<string, ParentDecl>();
    for (const p of parentDecls) {
      const action = byName.get(p.name);
      if (!action) {
        this.report('E306', `parent rule for '${p.name}', which is not an action`, p.loc);
        continue;
      }
      if (action.effects === null) {
        this.report('E308', `'${p.name}' is the stop action; it has no parent rule`, p.loc);
        continue;
      }
      if (parents.has(p.name)) {
        this.report('E310', `'${p.name}' already has a parent rule`, p.loc);
        continue;
      }
      if (p.binders.length !== action.binders.length) {
        this.report(
          'E309',
          `parent rule '${p.name}' has ${p.binders.length} parameters; the action has ${action.binders.length}`,
          p.loc,
        );
      }
      parents.set(p.name, p);
      const locals = this.binderScope(p.binders);
      if (p.guard)
        this.expectBool(p.guard, this.scope('guard', locals), `the guard of parent '${p.name}'`);
      this.checkEffects(p.effects, locals, `parent ${p.name}`);
    }
    for (const a of actions) {
      if (!parents.has(a.name)) {
        this.report(
          'E307',
          `action '${a.name}' has no parent rule; add 'parent ${a.name}(...) when ... do ...' that undoes it`,
          a.loc,
        );
      }
    }
    return { actions, stop, parents };
  }

  private binderScope(
    binders: ActionDecl['binders'],
    outer = new Map<string, Ty>(),
  ): Map<string, Ty> {
    const locals = new Map(outer);
    for (const b of binders) {
      this.expectInt(b.lo, this.constantScope(), `range of '${b.name}'`);
      this.expectInt(b.hi, this.constantScope(), `range of '${b.name}'`);
      this.declareLocal(locals, b.name, b.loc);
    }
    return locals;
  }

  private declareLocal(locals: Map<string, Ty>, name: string, loc: Loc): void {
    if (locals.has(name) || this.isGlobal(name)) {
      this.report('E102', `'${name}' is already defined; choose another name`, loc);
    }
    locals.set(name, INT);
  }

  private isGlobal(name: string): boolean {
    return (
      this.params.has(name) ||
      this.consts.has(name) ||
      this.fields.has(name) ||
      this.lets.has(name) ||
      this.externs.has(name)
    );
  }

  private checkEffects(effects: Effect[], locals: Map<string, Ty>, owner: string): void {
    const scope = this.scope('effect', locals);
    const written = new Map<string, string>();
    for (const e of effects) {
      const f = this.fields.get(e.target);
      if (!f) {
        const what = this.isGlobal(e.target) ? 'not a state field' : 'not defined';
        this.report(
          this.isGlobal(e.target) ? 'E205' : 'E101',
          `'${e.target}' is ${what}; effects change state fields`,
          e.loc,
        );
        continue;
      }
      const key =
        e.kind === 'assign' && e.index
          ? `${e.target}[${JSON.stringify(stripLoc(e.index))}]`
          : e.target;
      if (written.has(key) || (e.kind !== 'assign' && written.has(`seq:${e.target}`))) {
        this.report('E314', `'${owner}' changes '${e.target}' twice`, e.loc);
      }
      written.set(key, e.kind);
      if (e.kind !== 'assign') {
        written.set(`seq:${e.target}`, e.kind);
        if (f.type.kind !== 'seq') {
          this.report('E206', `'${e.kind}' works on sequences; '${e.target}' is not one`, e.loc);
          continue;
        }
        if (e.kind === 'push')
          this.expectInt(e.value, scope, `the value pushed onto '${e.target}'`);
        continue;
      }
      const isArray = f.type.kind === 'seq' || f.type.size !== null;
      if (isArray && !e.index) {
        this.report(
          'E203',
          `'${e.target}' is an array; assign one element ('${e.target}[i] = ...')`,
          e.loc,
        );
      } else if (!isArray && e.index) {
        this.report('E203', `'${e.target}' is a single value and cannot be indexed`, e.index.loc);
      }
      if (e.index) this.expectInt(e.index, scope, `the index into '${e.target}'`);
      if (f.type.kind === 'bool') {
        if (e.op !== '=')
          this.report('E201', `'${e.op}' needs a number; '${e.target}' is bool`, e.loc);
        this.expectBool(e.value, scope, `the value assigned to '${e.target}'`);
      } else {
        this.expectInt(e.value, scope, `the value assigned to '${e.target}'`);
      }
    }
  }

  private checkLetDecl(l: LetDecl): void {
    const names = new Map<string, Ty>();
    for (const p of l.params) {
      if (names.has(p.name) || this.isGlobal(p.name)) {
        this.report('E102', `'${p.name}' is already defined; choose another name`, p.loc);
      }
      names.set(p.name, INT);
    }
    // A let is checked where it is used, with the argument types of each use; value lets are
    // also checked here so that an unused one still gets its diagnostics.
    if (!l.isFunction) this.letValueType(l, this.scope('reward'));
  }

  // Types

  private expectNumeric(e: Expr, scope: Scope, what: string): Ty {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && !isNumeric(ty))
      this.report('E201', `${what} must be a number, not ${show(ty)}`, e.loc);
    return ty;
  }

  private expectInt(e: Expr, scope: Scope, what: string): void {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && ty.t !== 'int')
      this.report('E201', `${what} must be an int, not ${show(ty)}`, e.loc);
  }

  private expectBool(e: Expr, scope: Scope, what: string): void {
    const ty = this.typeOf(e, scope);
    if (ty.t !== 'error' && ty.t !== 'bool')
      this.report('E201', `${what} must be a condition (bool), not ${show(ty)}`, e.loc);
  }

  private expectIntConstant(e: Expr, what: string): void {
    if (e.kind === 'num' && !e.isInt)
      this.report('E201', `${what} must be an int, not ${e.value}`, e.loc);
  }

  private typeOf(e: Expr, scope: Scope): Ty {
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
      if (f.type.kind === 'seq' || f.type.size) return { t: 'array', elem, rank: 1 };
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

  private letValueType(l: LetDecl, scope: Scope): Ty {
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
    if (!(AGGREGATE_OPS as readonly string[]).includes(e.op)) {
      this.report(
        'E103',
        `'${e.op}' is not an aggregate; use one of ${AGGREGATE_OPS.join(', ')}`,
        e.loc,
      );
      return ERROR;
    }
    const locals = new Map(scope.locals);
    for (const b of e.binders) {
      this.expectInt(b.lo, { locals, context: scope.context }, `range of '${b.name}'`);
      this.expectInt(b.hi, { locals, context: scope.context }, `range of '${b.name}'`);
      this.declareLocal(locals, b.name, b.loc);
    }
    const inner: Scope = { locals, context: scope.context };
    if (e.op === 'all' || e.op === 'any' || e.op === 'count') {
      this.expectBool(e.body, inner, `the body of '${e.op}'`);
      return e.op === 'count' ? INT : BOOL;
    }
    const ty = this.expectNumeric(e.body, inner, `the body of '${e.op}'`);
    if (ty.t === 'error') return ERROR;
    return ty.t === 'float' ? FLOAT : INT;
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
      if (scope.context !== 'reward') {
        this.report('E311', `extern '${e.name}' can only be used in the reward`, e.loc);
        return ERROR;
      }
      if (!this.arityMatches(e, x.params.length)) return ERROR;
      x.params.forEach((p, i) => {
        const arg = e.args[i]!;
        const ty = this.typeOf(arg, scope);
        if (ty.t === 'error') return;
        const ok = p.array
          ? ty.t === 'array' && ty.rank === 1 && (p.type === 'bool') === (ty.elem === 'bool')
          : ty.t !== 'array' && (p.type === 'bool') === (ty.t === 'bool');
        if (!ok) {
          this.report(
            'E201',
            `argument '${p.name}' of '${e.name}' must be ${p.type}${p.array ? '[]' : ''}, not ${show(ty)}`,
            arg.loc,
          );
        }
      });
      return { t: x.returns };
    }
    this.report('E103', `unknown function '${e.name}'`, e.loc);
    return ERROR;
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

function isNumeric(ty: Ty): boolean {
  return ty.t === 'int' || ty.t === 'float' || ty.t === 'bool';
}

function isComparison(op: string): boolean {
  return op === '<' || op === '<=' || op === '>' || op === '>=';
}

function show(ty: Ty): string {
  if (ty.t === 'array') return `an array of ${ty.elem}${ty.rank > 1 ? ` (rank ${ty.rank})` : ''}`;
  return ty.t;
}

function stripLoc(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

function editDistance(a: string, b: string): number {
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

/** Every name an expression refers to (locals included). */
export function namesIn(e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (x) => {
    if (x.kind === 'name' || x.kind === 'call') out.add(x.name);
  });
  return out;
}
