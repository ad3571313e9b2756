import type { CstNode, IToken } from 'chevrotain';
import type {
  BinaryOp,
  Binder,
  Decl,
  Effect,
  Expr,
  FieldDecl,
  Loc,
  ScalarType,
  Spec,
} from './ast.js';
import { SEQUENCE_METHODS } from './ast.js';
import type * as C from './cst.js';
import { specParser } from './parser.js';

export function tokenLoc(t: IToken): Loc {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, length: t.image.length };
}

/** From the start of `a` to the end of `b` (just `a` when they are on different lines). */
export function span(a: Loc, b: Loc): Loc {
  if (a.line !== b.line) return a;
  return {
    line: a.line,
    column: a.column,
    length: Math.max(a.length, b.column + b.length - a.column),
  };
}

/** The location of a CST node: from its first token to its last on the first line. */
function nodeLoc(node: CstNode): Loc {
  const loc = node.location;
  if (!loc) return { line: 1, column: 1, length: 1 };
  const length =
    loc.endLine === loc.startLine ? (loc.endOffset ?? loc.startOffset) - loc.startOffset + 1 : 1;
  return { line: loc.startLine ?? 1, column: loc.startColumn ?? 1, length };
}

const BaseVisitor = specParser.getBaseCstVisitorConstructor();

/**
 * CST -> AST: one method per parser rule, each reading the typed children that Chevrotain
 * generates for that rule (syntax/cst.ts). `validateVisitor` at construction fails fast when a
 * rule has no method. Runs only on a CST without syntax errors, so required children are there.
 */
class AstBuilder extends BaseVisitor implements C.CstVisitor<Loc | undefined, unknown> {
  constructor() {
    super();
    this.validateVisitor();
  }

  private expr(nodes: C.ExpressionCstNode[] | undefined): Expr {
    return this.visit(nodes!) as Expr;
  }

  private maybeExpr(nodes: C.ExpressionCstNode[] | undefined): Expr | null {
    return nodes ? this.expr(nodes) : null;
  }

  /** Folds `operands (ops operands)*` left to right. */
  private leftAssoc(operands: CstNode[], ops: IToken[] | undefined): Expr {
    const exprs = operands.map((n) => this.visit(n) as Expr);
    let out = exprs[0]!;
    (ops ?? []).forEach((op, i) => {
      const right = exprs[i + 1]!;
      out = {
        kind: 'binary',
        op: op.image as BinaryOp,
        left: out,
        right,
        loc: span(out.loc, right.loc),
      };
    });
    return out;
  }

  spec(c: C.SpecCstChildren): Spec {
    const name = c.Identifier[0]!;
    return {
      name: name.image,
      loc: tokenLoc(name),
      decls: (c.declaration ?? []).map((d) => this.visit(d) as Decl),
    };
  }

  declaration(c: C.DeclarationCstChildren): Decl {
    const node =
      c.paramDecl ??
      c.constDecl ??
      c.stateDecl ??
      c.initDecl ??
      c.actionDecl ??
      c.parentDecl ??
      c.terminalDecl ??
      c.letDecl ??
      c.rewardDecl ??
      c.externDecl ??
      c.modeDecl;
    return this.visit(node!) as Decl;
  }

  paramDecl(c: C.ParamDeclCstChildren): Decl {
    return {
      kind: 'param',
      name: c.Identifier[0]!.image,
      type: c.IntType ? 'int' : 'float',
      default: this.expr(c.default),
      lo: this.maybeExpr(c.lo),
      hi: this.maybeExpr(c.hi),
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  constDecl(c: C.ConstDeclCstChildren): Decl {
    return {
      kind: 'const',
      name: c.Identifier[0]!.image,
      elem: this.visit(c.scalarType) as ScalarType,
      dims: (c.dims ?? []).map((d) => this.visit(d) as Expr),
      value: this.expr(c.value),
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  scalarType(c: C.ScalarTypeCstChildren): ScalarType {
    return c.IntType ? 'int' : c.FloatType ? 'float' : 'bool';
  }

  stateDecl(c: C.StateDeclCstChildren): Decl {
    return {
      kind: 'state',
      fields: (c.field ?? []).map((f) => this.visit(f) as FieldDecl),
      loc: tokenLoc(c.State[0]!),
    };
  }

  field(c: C.FieldCstChildren): FieldDecl {
    const name = c.Identifier[0]!;
    const dims = (c.size ?? []).map((d) => this.visit(d) as Expr);
    let type: FieldDecl['type'];
    if (c.IntType) type = { kind: 'int', dims, lo: this.expr(c.lo), hi: this.expr(c.hi) };
    else if (c.BoolType) type = { kind: 'bool', dims };
    else type = { kind: 'seq', size: dims[0]!, lo: this.expr(c.lo), hi: this.expr(c.hi) };
    return { name: name.image, type, loc: tokenLoc(name) };
  }

  initDecl(c: C.InitDeclCstChildren): Decl {
    return {
      kind: 'init',
      assigns: c.initAssign.map((a) => this.visit(a) as { name: string; value: Expr; loc: Loc }),
      loc: tokenLoc(c.Init[0]!),
    };
  }

  initAssign(c: C.InitAssignCstChildren): { name: string; value: Expr; loc: Loc } {
    return {
      name: c.Identifier[0]!.image,
      value: this.expr(c.expression),
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  actionDecl(c: C.ActionDeclCstChildren): Decl {
    return {
      kind: 'action',
      name: c.Identifier[0]!.image,
      binders: c.binderList ? (this.visit(c.binderList) as Binder[]) : [],
      guard: this.maybeExpr(c.guard),
      effects: c.effects ? (this.visit(c.effects) as Effect[]) : null,
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  parentDecl(c: C.ParentDeclCstChildren): Decl {
    return {
      kind: 'parent',
      name: c.Identifier[0]!.image,
      binders: c.binderList ? (this.visit(c.binderList) as Binder[]) : [],
      guard: this.maybeExpr(c.guard),
      effects: this.visit(c.effects) as Effect[],
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  binderList(c: C.BinderListCstChildren): Binder[] {
    return c.binder.map((b) => this.visit(b) as Binder);
  }

  binder(c: C.BinderCstChildren): Binder {
    const name = c.Identifier[0]!;
    return { name: name.image, lo: this.expr(c.lo), hi: this.expr(c.hi), loc: tokenLoc(name) };
  }

  effects(c: C.EffectsCstChildren): Effect[] {
    return c.effect.map((e) => this.visit(e) as Effect);
  }

  effect(c: C.EffectCstChildren): Effect {
    if (c.For) {
      return {
        kind: 'for',
        binders: (c.binder ?? []).map((b) => this.visit(b) as Binder),
        body: this.visit(c.body![0]!) as Effect[],
        loc: tokenLoc(c.For[0]!),
      };
    }
    const target = c.target![0]!;
    const method = c.method?.[0];
    if (method) {
      const args = (c.args ?? []).map((a) => this.visit(a) as Expr);
      const base = { target: target.image, loc: tokenLoc(method) };
      const arity = SEQUENCE_METHODS[method.image];
      // A method the language lacks, or a call with the wrong number of arguments, stays a
      // 'method' node for the validator to report (E206, E202).
      if (arity === undefined || arity !== args.length) {
        return { kind: 'method', ...base, method: method.image, args };
      }
      if (method.image === 'pop') return { kind: 'pop', ...base };
      if (method.image === 'push') return { kind: 'push', ...base, value: args[0]! };
      if (method.image === 'insert')
        return { kind: 'insert', ...base, at: args[0]!, value: args[1]! };
      return { kind: 'remove', ...base, at: args[0]! };
    }
    return {
      kind: 'assign',
      op: c.op![0]!.image as '=' | '+=' | '-=',
      target: target.image,
      indices: (c.index ?? []).map((ix) => this.visit(ix) as Expr),
      value: this.expr(c.value),
      loc: tokenLoc(target),
    };
  }

  terminalDecl(c: C.TerminalDeclCstChildren): Decl {
    return { kind: 'terminal', cond: this.expr(c.expression), loc: tokenLoc(c.Terminal[0]!) };
  }

  letDecl(c: C.LetDeclCstChildren): Decl {
    return {
      kind: 'let',
      name: c.name[0]!.image,
      params: (c.params ?? []).map((t) => ({ name: t.image, loc: tokenLoc(t) })),
      isFunction: c.LParen !== undefined,
      body: this.expr(c.expression),
      loc: tokenLoc(c.name[0]!),
    };
  }

  rewardDecl(c: C.RewardDeclCstChildren): Decl {
    const kw = c.Reward?.[0] ?? c.LogReward![0]!;
    return {
      kind: 'reward',
      log: kw.tokenType.name === 'LogReward',
      body: this.expr(c.expression),
      loc: tokenLoc(kw),
    };
  }

  externDecl(c: C.ExternDeclCstChildren): Decl {
    return {
      kind: 'extern',
      name: c.Identifier[0]!.image,
      params: (c.externParam ?? []).map(
        (p) => this.visit(p) as { name: string; type: ScalarType; array: boolean; loc: Loc },
      ),
      returns: this.visit(c.scalarType) as ScalarType,
      deterministic: c.Deterministic !== undefined,
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  externParam(c: C.ExternParamCstChildren): {
    name: string;
    type: ScalarType;
    array: boolean;
    loc: Loc;
  } {
    return {
      name: c.Identifier[0]!.image,
      type: this.visit(c.scalarType) as ScalarType,
      array: c.LBracket !== undefined,
      loc: tokenLoc(c.Identifier[0]!),
    };
  }

  modeDecl(c: C.ModeDeclCstChildren): Decl {
    return {
      kind: 'mode',
      cond: this.expr(c.cond),
      key: this.maybeExpr(c.key),
      loc: tokenLoc(c.Mode[0]!),
    };
  }

  expression(c: C.ExpressionCstChildren): Expr {
    return this.leftAssoc(c.operands, c.ops);
  }

  andExpr(c: C.AndExprCstChildren): Expr {
    return this.leftAssoc(c.operands, c.ops);
  }

  notExpr(c: C.NotExprCstChildren): Expr {
    const not = c.Not?.[0];
    if (not) {
      return {
        kind: 'unary',
        op: 'not',
        operand: this.visit(c.notExpr!) as Expr,
        loc: tokenLoc(not),
      };
    }
    return this.visit(c.comparison!) as Expr;
  }

  comparison(c: C.ComparisonCstChildren): Expr {
    return this.leftAssoc(c.operands, c.ops);
  }

  additive(c: C.AdditiveCstChildren): Expr {
    return this.leftAssoc(c.operands, c.ops);
  }

  multiplicative(c: C.MultiplicativeCstChildren): Expr {
    return this.leftAssoc(c.operands, c.ops);
  }

  unary(c: C.UnaryCstChildren): Expr {
    const minus = c.Minus?.[0];
    if (minus) {
      return {
        kind: 'unary',
        op: '-',
        operand: this.visit(c.unary!) as Expr,
        loc: tokenLoc(minus),
      };
    }
    return this.visit(c.power!) as Expr;
  }

  power(c: C.PowerCstChildren): Expr {
    const base = this.visit(c.base) as Expr;
    if (!c.exponent) return base;
    const right = this.visit(c.exponent) as Expr;
    return { kind: 'binary', op: '^', left: base, right, loc: span(base.loc, right.loc) };
  }

  postfix(c: C.PostfixCstChildren): Expr {
    let out = this.visit(c.primary) as Expr;
    const brackets = c.LBracket ?? [];
    const closing = c.RBracket ?? [];
    (c.indices ?? []).forEach((ix, i) => {
      const end = tokenLoc(closing[i] ?? brackets[i]!);
      out = {
        kind: 'index',
        target: out,
        index: this.visit(ix) as Expr,
        loc: span(out.loc, end),
      };
    });
    return out;
  }

  primary(c: C.PrimaryCstChildren): Expr {
    const num = c.NumberLiteral?.[0];
    if (num) {
      const isInt = /^\d+$/.test(num.image);
      return { kind: 'num', value: Number(num.image), isInt, loc: tokenLoc(num) };
    }
    const t = c.True?.[0] ?? c.False?.[0];
    if (t) return { kind: 'bool', value: t.image === 'true', loc: tokenLoc(t) };
    if (c.inner) return this.expr(c.inner);
    if (c.arrayLiteral) return this.visit(c.arrayLiteral, nodeLoc(c.arrayLiteral[0]!)) as Expr;
    if (c.ifExpr) return this.visit(c.ifExpr) as Expr;
    return this.visit(c.nameOrCall!) as Expr;
  }

  arrayLiteral(c: C.ArrayLiteralCstChildren, loc?: Loc): Expr {
    return {
      kind: 'array',
      items: (c.items ?? []).map((x) => this.visit(x) as Expr),
      loc: loc!,
    };
  }

  ifExpr(c: C.IfExprCstChildren): Expr {
    return {
      kind: 'if',
      cond: this.expr(c.cond),
      then: this.expr(c.then),
      else: this.expr(c.else),
      loc: tokenLoc(c.If[0]!),
    };
  }

  nameOrCall(c: C.NameOrCallCstChildren): Expr {
    const name = c.Identifier[0]!;
    const loc = tokenLoc(name);
    if (!c.LParen) return { kind: 'name', name: name.image, loc };
    if (c.binder) {
      return {
        kind: 'aggregate',
        op: name.image,
        binders: c.binder.map((b) => this.visit(b) as Binder),
        body: this.expr(c.body),
        loc,
      };
    }
    return {
      kind: 'call',
      name: name.image,
      args: (c.args ?? []).map((a) => this.visit(a) as Expr),
      loc,
    };
  }
}

const builder = new AstBuilder();

/** The AST of a spec's CST (which must have no syntax errors). */
export function cstToAst(cst: CstNode): Spec {
  return builder.visit(cst) as Spec;
}
