import type { CstNode, IToken } from 'chevrotain';
import { type Diagnostic, diagnostic } from '../diagnostics.js';
import type { Loc, Spec } from './ast.js';
import { cstToAst, tokenLoc } from './cst-to-ast.js';
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
    const message = syntaxMessage(e.message, tok) + hint(lexed.tokens, tok);
    diagnostics.push(diagnostic('E002', message, loc));
  }
  if (diagnostics.length > 0) return { spec: null, diagnostics };
  let spec: Spec;
  try {
    spec = cstToAst(cst);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const at = locOf(lexed.tokens[0]) ?? { line: 1, column: 1, length: 1 };
    diagnostics.push(diagnostic('E003', 'spec is nested too deeply to parse', at));
    return { spec: null, diagnostics };
  }
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

const COMPARISON_OPS = ['Less', 'LessEq', 'Greater', 'GreaterEq', 'EqEq', 'NotEq'];
/** Tokens before which a comparison belongs to another expression. */
const EXPRESSION_BOUNDARY = [
  'When',
  'Do',
  'Reward',
  'Terminal',
  'Mode',
  'By',
  'Let',
  'Init',
  'If',
  'Then',
  'Else',
  'And',
  'Or',
  'Not',
  'Colon',
  'Comma',
  'Assign',
  'PlusAssign',
  'MinusAssign',
];

/**
 * What the user most likely meant, for two common slips: a chained comparison (`a < b < c`: a
 * second comparison operator at the same depth of parentheses as one just parsed) and `=` where
 * a condition or value goes (a comparison is `==`).
 */
function hint(tokens: readonly IToken[], tok: IToken): string {
  const name = tok.tokenType.name;
  if (name === 'Assign') return "; to compare two values, write '=='";
  if (!COMPARISON_OPS.includes(name)) return '';
  let depth = 0;
  for (let i = tokens.indexOf(tok) - 1; i >= 0; i--) {
    const t = tokens[i]!.tokenType.name;
    if (t === 'RParen' || t === 'RBracket') depth++;
    else if (t === 'LParen' || t === 'LBracket') {
      if (depth === 0) return '';
      depth--;
    } else if (depth === 0 && COMPARISON_OPS.includes(t)) {
      return "; comparisons do not chain: write 'a < b and b < c', not 'a < b < c'";
    } else if (depth === 0 && EXPRESSION_BOUNDARY.includes(t)) {
      return '';
    }
  }
  return '';
}

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

function locOf(t: IToken | undefined): Loc | undefined {
  return t ? tokenLoc(t) : undefined;
}

function endLoc(source: string, tokens: IToken[]): Loc {
  const last = tokens[tokens.length - 1];
  if (last) return { line: last.endLine ?? 1, column: (last.endColumn ?? 0) + 1, length: 1 };
  const lines = source.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1, length: 1 };
}
