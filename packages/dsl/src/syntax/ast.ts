/** Where a node starts in the source (1-based line and column) and how many characters it spans. */
export interface Loc {
  line: number;
  column: number;
  length: number;
}

export type ScalarType = 'int' | 'float' | 'bool';

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

export const AGGREGATE_OPS = ['all', 'any', 'sum', 'prod', 'count', 'min', 'max'] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];
/** `table(i in 0..n-1, j in ...: body)`: a computed constant table, one entry per binder value. */
export const TABLE_OP = 'table';
export interface Binder {
  name: string;
  lo: Expr;
  hi: Expr;
  loc: Loc;
}

export type Expr =
  | { kind: 'num'; value: number; isInt: boolean; loc: Loc }
  | { kind: 'bool'; value: boolean; loc: Loc }
  | { kind: 'name'; name: string; loc: Loc }
  | { kind: 'index'; target: Expr; index: Expr; loc: Loc }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expr; loc: Loc }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; loc: Loc }
  | { kind: 'if'; cond: Expr; then: Expr; else: Expr; loc: Loc }
  | { kind: 'call'; name: string; args: Expr[]; loc: Loc }
  /** `op(i in lo..hi, ...: body)`; the validator rejects an op outside AGGREGATE_OPS. */
  | { kind: 'aggregate'; op: string; binders: Binder[]; body: Expr; loc: Loc }
  | { kind: 'array'; items: Expr[]; loc: Loc };

export type FieldType =
  /** `int[a][b] in lo..hi`: `dims` is empty for a single value. */
  | { kind: 'int'; dims: Expr[]; lo: Expr; hi: Expr }
  | { kind: 'bool'; dims: Expr[] }
  | { kind: 'seq'; size: Expr; lo: Expr; hi: Expr };

/** The methods of a sequence field in effects, with their number of arguments. */
export const SEQUENCE_METHODS: Record<string, number> = { push: 1, pop: 0, insert: 2, remove: 1 };

export interface FieldDecl {
  name: string;
  type: FieldType;
  loc: Loc;
}

export type Effect =
  | {
      kind: 'assign';
      op: '=' | '+=' | '-=';
      target: string;
      /** One index per dimension of the field; empty for a single value. */
      indices: Expr[];
      value: Expr;
      loc: Loc;
    }
  | { kind: 'push'; target: string; value: Expr; loc: Loc }
  | { kind: 'pop'; target: string; loc: Loc }
  /** `s.insert(i, v)`: items from position i move up by one. */
  | { kind: 'insert'; target: string; at: Expr; value: Expr; loc: Loc }
  /** `s.remove(i)`: items after position i move down by one. */
  | { kind: 'remove'; target: string; at: Expr; loc: Loc }
  /** A sequence method the language lacks, or called with the wrong number of arguments. */
  | { kind: 'method'; target: string; method: string; args: Expr[]; loc: Loc }
  /** `for i in lo..hi { effects }`: the body once per value, all reading the state before. */
  | { kind: 'for'; binders: Binder[]; body: Effect[]; loc: Loc };

export interface ParamDecl {
  kind: 'param';
  name: string;
  type: 'int' | 'float';
  default: Expr;
  lo: Expr | null;
  hi: Expr | null;
  loc: Loc;
}

export interface ConstDecl {
  kind: 'const';
  name: string;
  elem: ScalarType;
  dims: Expr[];
  value: Expr;
  loc: Loc;
}

export interface StateDecl {
  kind: 'state';
  fields: FieldDecl[];
  loc: Loc;
}

export interface InitDecl {
  kind: 'init';
  assigns: { name: string; value: Expr; loc: Loc }[];
  loc: Loc;
}

export interface ActionDecl {
  kind: 'action';
  name: string;
  binders: Binder[];
  guard: Expr | null;
  /** null for the stop (exit) action. */
  effects: Effect[] | null;
  loc: Loc;
}

export interface ParentDecl {
  kind: 'parent';
  name: string;
  binders: Binder[];
  guard: Expr | null;
  effects: Effect[];
  loc: Loc;
}

export interface TerminalDecl {
  kind: 'terminal';
  cond: Expr;
  loc: Loc;
}

export interface LetDecl {
  kind: 'let';
  name: string;
  params: { name: string; loc: Loc }[];
  /** True for `let f(a, b) = ...`, false for `let v = ...`. */
  isFunction: boolean;
  body: Expr;
  loc: Loc;
}

export interface RewardDecl {
  kind: 'reward';
  log: boolean;
  body: Expr;
  loc: Loc;
}

export interface ExternDecl {
  kind: 'extern';
  name: string;
  params: { name: string; type: ScalarType; array: boolean; loc: Loc }[];
  returns: ScalarType;
  /** Declared `deterministic`: same arguments, same result, so guards and `mode` may call it. */
  deterministic: boolean;
  loc: Loc;
}

export interface ModeDecl {
  kind: 'mode';
  cond: Expr;
  key: Expr | null;
  loc: Loc;
}

export type Decl =
  | ParamDecl
  | ConstDecl
  | StateDecl
  | InitDecl
  | ActionDecl
  | ParentDecl
  | TerminalDecl
  | LetDecl
  | RewardDecl
  | ExternDecl
  | ModeDecl;

export interface Spec {
  name: string;
  loc: Loc;
  decls: Decl[];
}
