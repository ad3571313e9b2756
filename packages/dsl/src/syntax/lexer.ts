import { Lexer, createToken, type TokenType } from 'chevrotain';

/** Identifiers; keywords below take precedence through `longer_alt`. */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keyword = (word: string, name = word[0]!.toUpperCase() + word.slice(1)): TokenType =>
  createToken({ name, pattern: word, longer_alt: Identifier });

export const Env = keyword('env');
export const Param = keyword('param');
export const Const = keyword('const');
export const State = keyword('state');
export const Init = keyword('init');
export const Action = keyword('action');
export const Parent = keyword('parent');
export const Terminal = keyword('terminal');
export const Let = keyword('let');
export const Reward = keyword('reward');
export const LogReward = keyword('logreward', 'LogReward');
export const Extern = keyword('extern');
export const Mode = keyword('mode');
export const When = keyword('when');
export const Do = keyword('do');
export const Stop = keyword('stop');
export const By = keyword('by');
export const In = keyword('in');
export const Of = keyword('of');
export const If = keyword('if');
export const Then = keyword('then');
export const Else = keyword('else');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const True = keyword('true');
export const False = keyword('false');
export const IntType = keyword('int', 'IntType');
export const FloatType = keyword('float', 'FloatType');
export const BoolType = keyword('bool', 'BoolType');
export const SeqType = keyword('seq', 'SeqType');
export const For = keyword('for');
export const Deterministic = keyword('deterministic');

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  // "0..3" must lex as 0, .., 3: a fraction needs a digit after the dot.
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
});

export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const PlusAssign = createToken({ name: 'PlusAssign', pattern: /\+=/ });
export const MinusAssign = createToken({ name: 'MinusAssign', pattern: /-=/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Assign = createToken({ name: 'Assign', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const Caret = createToken({ name: 'Caret', pattern: /\^/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

// Longest first, so that a keyword is never cut short by another that is its prefix (in / int).
export const KEYWORDS = [
  Env,
  Param,
  Const,
  State,
  Init,
  Action,
  Parent,
  Terminal,
  Let,
  LogReward,
  Reward,
  Extern,
  Mode,
  When,
  Do,
  Stop,
  By,
  In,
  Of,
  If,
  Then,
  Else,
  And,
  Or,
  Not,
  True,
  False,
  IntType,
  FloatType,
  BoolType,
  SeqType,
  For,
  Deterministic,
].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length);

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  ...KEYWORDS,
  Identifier,
  NumberLiteral,
  DotDot,
  Dot,
  PlusAssign,
  MinusAssign,
  LessEq,
  GreaterEq,
  EqEq,
  NotEq,
  Less,
  Greater,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
];

export const specLexer = new Lexer(ALL_TOKENS, {
  positionTracking: 'full',
  ensureOptimizations: false,
});
