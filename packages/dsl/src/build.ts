import type { CstElement, CstNode, IToken } from 'chevrotain';
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
import { type Diagnostic, diagnostic } from './diagnostics.js';
import { specLexer } from './lexer.js';
import { specParser } from './parser.js';

/** Specs longer than this are refused before parsing (a spec is a page, not a data file). */
export const MAX_SPEC_CHARS = 1_000_000;

/**
 * Source text -> tokens -> CST -> AST. Never throws on user input: lexing and parsing errors
 * (several per run, thanks to error recovery) come back as diagnostics, and no AST is built
 * when there are any.
 */
export function parseSpec(source: string): { spec: Spec | null; diagnostics: Diagnostic[] } {
  if (source.length > MAX_SPEC_CHARS) {
    return {
      spec: null,
      diagnostics: [
        diagnostic('E003', `spec is ${source.length} characters; the limit is ${MAX_SPEC_CHARS}`, {
          line: 1,
          column: 1,
          length: 1,
        }),
      ],
    };
  }
  const lexed = specLexer.tokenize(source);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) =>
    diagnostic(
      'E001',
      `unexpected character ${JSON.stringify(source.slice(e.offset, e.offset + e.length))}`,
      { line: e.line ?? 1, column: e.column ?? 1, length: e.length },
    ),
  );
  let cst: CstNode;
  try {
    specParser.input = lexed.tokens;
    cst = specParser.spec();
  } catch (err) {
    if (err instanceof RangeError) {
      const at = lexed.tokens[0];
      diagnostics.push(
        diagnostic(
          'E003',
          'spec is nested too deeply to parse',
          locOf(at) ?? { line: 1, column: 1, length: 1 },
        ),
      );
      return { spec: null, diagnostics };
    }
    throw err;
  }
  for (const e of specParser.errors) {
    const tok = e.token;
    const loc =
      tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset)
        ? endLoc(source, lexed.tokens)
        : tokenLoc(tok);
    diagnostics.push(diagnostic('E002', syntaxMessage(e.message, tok), loc));
  }
  if (diagnostics.length > 0) return { spec: null, diagnostics };
  const spec = buildSpec(cst);
  const deep = tooDeep(spec);
  if (deep) {
    diagnostics.push(
      diagnostic('E003', `expression nested more than ${MAX_EXPR_DEPTH} deep`, deep),
    );
    return { spec: null, diagnostics };
  }
  return { spec, diagnostics };
}

/** Deeper expressions are refused, so that later passes can recurse safely. */
export const MAX_EXPR_DEPTH = 200;

/** The location of the first expression nested too deeply, found without recursion. */
function tooDeep(spec: Spec): Loc | null {
  const stack: [unknown, number][] = [[spec.decls, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth]);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const isExpr = 'kind' in node && 'loc' in node;
    if (isExpr && depth > MAX_EXPR_DEPTH) return (node as { loc: Loc }).loc;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'loc') stack.push([value, depth + (isExpr ? 1 : 0)]);
    }
  }
  return null;
}

const EXPRESSION_START = [
  'Minus',
  'NumberLiteral',
  'True',
  'False',
  'LParen',
  'LBracket',
  'If',
  'Identifier',
  'Not',
];

/** Chevrotain's messages list token type names; say it in the spec's own words instead. */
function syntaxMessage(message: string, tok: IToken): string {
  const found = tok.tokenType.name === 'EOF' ? 'end of file' : `'${tok.image}'`;
  const names: string[] = [];
  for (const m of message.matchAll(/\[([A-Za-z]+)|-->\s*([A-Za-z]+)\s*<--/g)) {
    const name = m[1] ?? m[2]!;
    if (!names.includes(name)) names.push(name);
  }
  if (names.length === 0) return `unexpected ${found}`;
  let wanted = names;
  if (wanted.includes('NumberLiteral') && wanted.includes('Identifier')) {
    wanted = ['an expression', ...wanted.filter((n) => !EXPRESSION_START.includes(n))];
  }
  const shown = wanted.map((n) => (n === 'an expression' ? n : tokenDisplay(n)));
  const list =
    shown.length === 1
      ? shown[0]!
      : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]!}`;
  return `expected ${list}, found ${found}`;
}

const TOKEN_DISPLAY: Record<string, string> = {
  Identifier: 'a name',
  NumberLiteral: 'a number',
  DotDot: "'..'",
  Dot: "'.'",
  PlusAssign: "'+='",
  MinusAssign: "'-='",
  LessEq: "'<='",
  GreaterEq: "'>='",
  EqEq: "'=='",
  NotEq: "'!='",
  Less: "'<'",
  Greater: "'>'",
  Assign: "'='",
  Plus: "'+'",
  Minus: "'-'",
  Star: "'*'",
  Slash: "'/'",
  Percent: "'%'",
  Caret: "'^'",
  LParen: "'('",
  RParen: "')'",
  LBracket: "'['",
  RBracket: "']'",
  LBrace: "'{'",
  RBrace: "'}'",
  Comma: "','",
  Colon: "':'",
  EOF: 'end of file',
  IntType: "'int'",
  FloatType: "'float'",
  BoolType: "'bool'",
  SeqType: "'seq'",
  LogReward: "'logreward'",
};

function tokenDisplay(name: string): string {
  return TOKEN_DISPLAY[name] ?? `'${name.toLowerCase()}'`;
}

function tokenLoc(t: IToken): Loc {
  return { line: t.startLine ?? 1, column: t.startColumn ?? 1, length: t.image.length };
}

/** From the start of `a` to the end of `b` (just `a` when they are on different lines). */
function span(a: Loc, b: Loc): Loc {
  if (a.line !== b.line) return a;
  return {
    line: a.line,
    column: a.column,
    length: Math.max(a.length, b.column + b.length - a.column),
  };
}

function locOf(t: IToken | undefined): Loc | undefined {
  return t ? tokenLoc(t) : undefined;
}

function endLoc(source: string, tokens: IToken[]): Loc {
  const last = tokens[tokens.length - 1];
  if (last) return { line: last.endLine ?? 1, column: (last.endColumn ?? 0) + 1, length: 1 };
  const lines = source.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1, length: 1 };
}

// CST access helpers. The CST is complete here: parseSpec builds no AST after a syntax error.

type Children = Record<string, CstElement[] | undefined>;

function kids(node: CstNode): Children {
  return node.children as Children;
}

function tokens(node: CstNode, name: string): IToken[] {
  return (kids(node)[name] ?? []) as IToken[];
}

function token(node: CstNode, name: string): IToken {
  return tokens(node, name)[0]!;
}

function maybeToken(node: CstNode, name: string): IToken | undefined {
  return tokens(node, name)[0];
}

function nodes(node: CstNode, name: string): CstNode[] {
  return (kids(node)[name] ?? []) as CstNode[];
}

function child(node: CstNode, name: string): CstNode {
  return nodes(node, name)[0]!;
}

function maybeChild(node: CstNode, name: string): CstNode | undefined {
  return nodes(node, name)[0];
}

/** The location of a CST node: from its first token to its last on the first line. */
function nodeLoc(node: CstNode): Loc {
  const loc = node.location;
  if (!loc) return { line: 1, column: 1, length: 1 };
  const length =
    loc.endLine === loc.startLine ? (loc.endOffset ?? loc.startOffset) - loc.startOffset + 1 : 1;
  return { line: loc.startLine ?? 1, column: loc.startColumn ?? 1, length };
}

function buildSpec(cst: CstNode): Spec {
  const name = token(cst, 'Identifier');
  return {
    name: name.image,
    loc: tokenLoc(name),
    decls: nodes(cst, 'declaration').map((d) => buildDecl(d)),
  };
}

function buildDecl(node: CstNode): Decl {
  const [key, value] = Object.entries(kids(node))[0]!;
  const d = (value as CstNode[])[0]!;
  switch (key) {
    case 'paramDecl':
      return {
        kind: 'param',
        name: token(d, 'Identifier').image,
        type: maybeToken(d, 'IntType') ? 'int' : 'float',
        default: expr(child(d, 'default')),
        lo: maybeChild(d, 'lo') ? expr(child(d, 'lo')) : null,
        hi: maybeChild(d, 'hi') ? expr(child(d, 'hi')) : null,
        loc: tokenLoc(token(d, 'Identifier')),
      };
    case 'constDecl':
      return {
        kind: 'const',
        name: token(d, 'Identifier').image,
        elem: scalarType(child(d, 'scalarType')),
        dims: nodes(d, 'dims').map(expr),
        value: expr(child(d, 'value')),
        loc: tokenLoc(token(d, 'Identifier')),
      };
    case 'stateDecl':
      return {
        kind: 'state',
        fields: nodes(d, 'field').map(field),
        loc: tokenLoc(token(d, 'State')),
      };
    case 'initDecl':
      return {
        kind: 'init',
        assigns: nodes(d, 'initAssign').map((a) => ({
          name: token(a, 'Identifier').image,
          value: expr(child(a, 'expression')),
          loc: tokenLoc(token(a, 'Identifier')),
        })),
        loc: tokenLoc(token(d, 'Init')),
      };
    case 'actionDecl':
      return {
        kind: 'action',
        name: token(d, 'Identifier').image,
        binders: binderList(d),
        guard: maybeChild(d, 'guard') ? expr(child(d, 'guard')) : null,
        effects: maybeChild(d, 'effects') ? effects(child(d, 'effects')) : null,
        loc: tokenLoc(token(d, 'Identifier')),
      };
    case 'parentDecl':
      return {
        kind: 'parent',
        name: token(d, 'Identifier').image,
        binders: binderList(d),
        guard: maybeChild(d, 'guard') ? expr(child(d, 'guard')) : null,
        effects: effects(child(d, 'effects')),
        loc: tokenLoc(token(d, 'Identifier')),
      };
    case 'terminalDecl':
      return {
        kind: 'terminal',
        cond: expr(child(d, 'expression')),
        loc: tokenLoc(token(d, 'Terminal')),
      };
    case 'letDecl':
      return {
        kind: 'let',
        name: token(d, 'name').image,
        params: tokens(d, 'params').map((t) => ({ name: t.image, loc: tokenLoc(t) })),
        isFunction: maybeToken(d, 'LParen') !== undefined,
        body: expr(child(d, 'expression')),
        loc: tokenLoc(token(d, 'name')),
      };
    case 'rewardDecl': {
      const kw = maybeToken(d, 'Reward') ?? token(d, 'LogReward');
      return {
        kind: 'reward',
        log: kw.tokenType.name === 'LogReward',
        body: expr(child(d, 'expression')),
        loc: tokenLoc(kw),
      };
    }
    case 'externDecl':
      return {
        kind: 'extern',
        name: token(d, 'Identifier').image,
        params: nodes(d, 'externParam').map((p) => ({
          name: token(p, 'Identifier').image,
          type: scalarType(child(p, 'scalarType')),
          array: maybeToken(p, 'LBracket') !== undefined,
          loc: tokenLoc(token(p, 'Identifier')),
        })),
        returns: scalarType(child(d, 'scalarType')),
        loc: tokenLoc(token(d, 'Identifier')),
      };
    default:
      return {
        kind: 'mode',
        cond: expr(child(d, 'cond')),
        key: maybeChild(d, 'key') ? expr(child(d, 'key')) : null,
        loc: tokenLoc(token(d, 'Mode')),
      };
  }
}

function scalarType(node: CstNode): ScalarType {
  if (maybeToken(node, 'IntType')) return 'int';
  if (maybeToken(node, 'FloatType')) return 'float';
  return 'bool';
}

function field(node: CstNode): FieldDecl {
  const name = token(node, 'Identifier');
  const size = maybeChild(node, 'size') ? expr(child(node, 'size')) : null;
  let type: FieldDecl['type'];
  if (maybeToken(node, 'IntType')) {
    type = { kind: 'int', size, lo: expr(child(node, 'lo')), hi: expr(child(node, 'hi')) };
  } else if (maybeToken(node, 'BoolType')) {
    type = { kind: 'bool', size };
  } else {
    type = { kind: 'seq', size: size!, lo: expr(child(node, 'lo')), hi: expr(child(node, 'hi')) };
  }
  return { name: name.image, type, loc: tokenLoc(name) };
}

function binderList(node: CstNode): Binder[] {
  const list = maybeChild(node, 'binderList');
  return list ? nodes(list, 'binder').map(binder) : [];
}

function binder(node: CstNode): Binder {
  const name = token(node, 'Identifier');
  return {
    name: name.image,
    lo: expr(child(node, 'lo')),
    hi: expr(child(node, 'hi')),
    loc: tokenLoc(name),
  };
}

function effects(node: CstNode): Effect[] {
  return nodes(node, 'effect').map((e): Effect => {
    const target = token(e, 'target');
    const method = maybeToken(e, 'method');
    if (method) {
      const value = maybeChild(e, 'value');
      if (method.image === 'pop' || !value) {
        return { kind: 'pop', target: target.image, loc: tokenLoc(method) };
      }
      return { kind: 'push', target: target.image, value: expr(value), loc: tokenLoc(method) };
    }
    const op = token(e, 'op').image as '=' | '+=' | '-=';
    return {
      kind: 'assign',
      op,
      target: target.image,
      index: maybeChild(e, 'index') ? expr(child(e, 'index')) : null,
      value: expr(child(e, 'value')),
      loc: tokenLoc(target),
    };
  });
}

/** Folds `operands (ops operands)*` left to right. */
function leftAssoc(node: CstNode, operand: (n: CstNode) => Expr): Expr {
  const operands = nodes(node, 'operands').map(operand);
  const ops = tokens(node, 'ops');
  let out = operands[0]!;
  ops.forEach((op, i) => {
    const right = operands[i + 1]!;
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

function expr(node: CstNode): Expr {
  return leftAssoc(node, (n) => leftAssoc(n, notExpr));
}

function notExpr(node: CstNode): Expr {
  const not = maybeToken(node, 'Not');
  if (not)
    return {
      kind: 'unary',
      op: 'not',
      operand: notExpr(child(node, 'notExpr')),
      loc: tokenLoc(not),
    };
  const cmp = child(node, 'comparison');
  return leftAssoc(cmp, (add) => leftAssoc(add, (mul) => leftAssoc(mul, unary)));
}

function unary(node: CstNode): Expr {
  const minus = maybeToken(node, 'Minus');
  if (minus)
    return { kind: 'unary', op: '-', operand: unary(child(node, 'unary')), loc: tokenLoc(minus) };
  const pow = child(node, 'power');
  const base = postfix(child(pow, 'base'));
  const exponent = maybeChild(pow, 'exponent');
  if (!exponent) return base;
  const right = unary(exponent);
  return { kind: 'binary', op: '^', left: base, right, loc: span(base.loc, right.loc) };
}

function postfix(node: CstNode): Expr {
  let out = primary(child(node, 'primary'));
  const brackets = tokens(node, 'LBracket');
  const closing = tokens(node, 'RBracket');
  nodes(node, 'indices').forEach((ix, i) => {
    const end = tokenLoc(closing[i] ?? brackets[i]!);
    out = { kind: 'index', target: out, index: expr(ix), loc: span(out.loc, end) };
  });
  return out;
}

function primary(node: CstNode): Expr {
  const num = maybeToken(node, 'NumberLiteral');
  if (num) {
    const isInt = /^\d+$/.test(num.image);
    return { kind: 'num', value: Number(num.image), isInt, loc: tokenLoc(num) };
  }
  const t = maybeToken(node, 'True') ?? maybeToken(node, 'False');
  if (t) return { kind: 'bool', value: t.image === 'true', loc: tokenLoc(t) };
  const inner = maybeChild(node, 'inner');
  if (inner) return expr(inner);
  const arr = maybeChild(node, 'arrayLiteral');
  if (arr) return { kind: 'array', items: nodes(arr, 'items').map(expr), loc: nodeLoc(arr) };
  const ife = maybeChild(node, 'ifExpr');
  if (ife) {
    return {
      kind: 'if',
      cond: expr(child(ife, 'cond')),
      then: expr(child(ife, 'then')),
      else: expr(child(ife, 'else')),
      loc: tokenLoc(token(ife, 'If')),
    };
  }
  const call = child(node, 'nameOrCall');
  const name = token(call, 'Identifier');
  const loc = tokenLoc(name);
  if (!maybeToken(call, 'LParen')) return { kind: 'name', name: name.image, loc };
  const binders = nodes(call, 'binder');
  if (binders.length > 0) {
    return {
      kind: 'aggregate',
      op: name.image,
      binders: binders.map(binder),
      body: expr(child(call, 'body')),
      loc,
    };
  }
  return { kind: 'call', name: name.image, args: nodes(call, 'args').map(expr), loc };
}
