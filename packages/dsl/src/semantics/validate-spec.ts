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
  SEQUENCE_METHODS,
  TABLE_OP,
} from '../syntax/ast.js';
import { type Diagnostic, sortDiagnostics } from '../diagnostics.js';
import { BUILTINS, INT, type Ty, TypeChecker, isNumeric, show } from './type-checker.js';

export { BUILTINS, type Ty } from './type-checker.js';

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

class Validator extends TypeChecker {
  constructor(private readonly spec: Spec) {
    super();
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
      if (
        BUILTINS[name] ||
        name === TABLE_OP ||
        (AGGREGATE_OPS as readonly string[]).includes(name)
      ) {
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

  private checkConst(c: ConstDecl): void {
    for (const d of c.dims) this.expectInt(d, this.constantScope(), `size of '${c.name}'`);
    const want = c.dims.length;
    // One diagnostic per table for its entries of the wrong type, at the first, with the count.
    let wrong: { loc: Loc; message: string; count: number } | null = null;
    const mistype = (message: string, loc: Loc): void => {
      if (wrong) wrong.count += 1;
      else wrong = { loc, message, count: 1 };
    };
    const check = (e: Expr, depth: number): void => {
      if (depth < want && e.kind === 'aggregate' && e.op === TABLE_OP) {
        // `table(i in .., j in ..: body)`: its binders give the remaining dimensions.
        const ty = this.typeOf(e, this.constantScope());
        if (ty.t === 'array' && ty.rank !== want - depth) {
          this.report(
            'E405',
            `'${c.name}' needs ${want - depth} more dimension(s) here; 'table' gives ${ty.rank}`,
            e.loc,
          );
        } else if (ty.t === 'array' && (c.elem === 'bool') !== (ty.elem === 'bool')) {
          this.report('E201', `'${c.name}' holds ${c.elem} values, not ${ty.elem}`, e.body.loc);
        } else if (ty.t === 'array' && c.elem === 'int' && ty.elem === 'float') {
          this.report('E201', `'${c.name}' holds int values, not float`, e.body.loc);
        }
        return;
      }
      if (depth < want && e.kind !== 'array' && depth === 0) {
        // A single value fills the whole table: `const zero: int[n][n] = 0`.
        check(e, want);
        return;
      }
      if (depth < want) {
        if (e.kind !== 'array') {
          this.report('E405', `'${c.name}' needs a nested list ${want} deep here`, e.loc);
          return;
        }
        for (const item of e.items) check(item, depth + 1);
        return;
      }
      // A bool table may be written with 0 and 1.
      if (c.elem === 'bool' && e.kind === 'num' && (e.value === 0 || e.value === 1)) return;
      const ty = this.typeOf(e, this.constantScope());
      if (c.elem === 'bool' ? ty.t !== 'bool' && ty.t !== 'error' : !isNumeric(ty)) {
        mistype(`'${c.name}' holds ${c.elem} values, not ${show(ty)}`, e.loc);
      } else if (c.elem === 'int' && ty.t === 'float') {
        mistype(`'${c.name}' holds int values, not float`, e.loc);
      }
    };
    check(c.value, 0);
    const first = wrong as { loc: Loc; message: string; count: number } | null;
    if (first) {
      const more = first.count > 1 ? ` (${first.count} entries; this is the first)` : '';
      const how = c.elem === 'bool' ? '; write true/false, or 0/1' : '';
      this.report('E201', `${first.message}${more}${how}`, first.loc);
    }
  }

  private checkField(f: FieldDecl): void {
    const type = f.type;
    const dims = type.kind === 'seq' ? [type.size] : type.dims;
    for (const d of dims) this.expectInt(d, this.constantScope(), `size of field '${f.name}'`);
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
      const leaves = (v: Expr): Expr[] => (v.kind === 'array' ? v.items.flatMap(leaves) : [v]);
      const values = leaves(a.value);
      if (a.value.kind === 'array' && f.type.kind !== 'seq' && f.type.dims.length === 0) {
        this.report('E313', `'${a.name}' is a single value; initialise it with one`, a.value.loc);
      }
      for (const v of values) {
        const ty = this.typeOf(v, this.constantScope());
        if (ty.t === 'error') continue;
        // `init x = table(i in 0..n-1: ...)`: a computed list; its entries are checked.
        const t = ty.t === 'array' && v.kind === 'aggregate' ? ty.elem : ty.t;
        if (elem === 'bool' ? t !== 'bool' : t !== 'int') {
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

  private checkEffects(
    effects: Effect[],
    locals: Map<string, Ty>,
    owner: string,
    written = new Map<string, string>(),
  ): void {
    const scope = this.scope('effect', locals);
    for (const e of effects) {
      if (e.kind === 'for') {
        // Bounds may use the action's parameters and the state before the action.
        const inner = new Map(locals);
        for (const b of e.binders) {
          this.expectInt(b.lo, this.scope('effect', inner), `range of '${b.name}'`);
          this.expectInt(b.hi, this.scope('effect', inner), `range of '${b.name}'`);
          this.declareLocal(inner, b.name, b.loc);
        }
        this.checkEffects(e.body, inner, owner, written);
        continue;
      }
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
      if (e.kind === 'method') {
        const arity = SEQUENCE_METHODS[e.method];
        if (arity === undefined) {
          this.report(
            'E206',
            `sequences have no method '${e.method}'; they have ${Object.keys(SEQUENCE_METHODS).join(', ')}`,
            e.loc,
          );
        } else {
          this.report(
            'E202',
            `'${e.method}' takes ${arity} argument${arity === 1 ? '' : 's'}, not ${e.args.length}`,
            e.loc,
          );
        }
        continue;
      }
      const key =
        e.kind === 'assign' && e.indices.length > 0
          ? `${e.target}${JSON.stringify(e.indices.map(stripLoc))}`
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
        if (e.kind === 'insert' || e.kind === 'remove')
          this.expectInt(e.at, scope, `the position in '${e.target}.${e.kind}'`);
        if (e.kind === 'push' || e.kind === 'insert')
          this.expectInt(e.value, scope, `the value put into '${e.target}'`);
        continue;
      }
      const rank = f.type.kind === 'seq' ? 1 : f.type.dims.length;
      if (rank > 0 && e.indices.length !== rank) {
        const how = `${e.target}${'[i]'.repeat(rank)} = ...`;
        this.report(
          'E203',
          rank === 1 || e.indices.length === 0
            ? `'${e.target}' is an array; assign one element ('${how}')`
            : `'${e.target}' has ${rank} dimensions; give ${rank} indices ('${how}')`,
          e.loc,
        );
      } else if (rank === 0 && e.indices.length > 0) {
        this.report(
          'E203',
          `'${e.target}' is a single value and cannot be indexed`,
          e.indices[0]!.loc,
        );
      }
      for (const ix of e.indices) this.expectInt(ix, scope, `the index into '${e.target}'`);
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
}

function stripLoc(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}
