import type { Loc } from './syntax/ast.js';

export type Severity = 'error' | 'warning';

/** A problem found in a spec, positioned at a 1-based line and column. */
export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  line: number;
  column: number;
  /** Characters to underline; at least 1. */
  length: number;
}

/** Every diagnostic code, with what it means (docs/spec-language.md lists the same). */
export const DIAGNOSTIC_CODES: Record<string, string> = {
  E001: 'unexpected character',
  E002: 'syntax error',
  E003: 'spec too deeply nested or too large to parse',
  E101: 'unknown name',
  E102: 'duplicate name',
  E103: 'unknown function',
  E104: 'reserved name',
  E201: 'type mismatch',
  E202: 'wrong number of arguments',
  E203: 'bad indexing',
  E204: 'array used where a single value is needed',
  E205: 'invalid effect target',
  E206: 'unknown sequence method',
  E301: 'missing state declaration',
  E302: 'missing reward',
  E303: 'section declared twice',
  E304: 'no way to terminate',
  E305: 'more than one stop action',
  E306: 'parent rule for an action that does not exist',
  E307: 'action without a parent rule',
  E308: 'parent rule for the stop action',
  E309: 'parent rule parameters differ from the action',
  E310: 'two parent rules for one action',
  E311: 'extern function where it may not be called',
  E312: 'recursive definition',
  E313: 'bad initial state',
  E314: 'a field written twice by one action',
  E401: 'parameter out of range',
  E402: 'unknown parameter',
  E403: 'parameter must be an integer',
  E404: 'bad size or range',
  E405: 'constant table shape mismatch',
  E406: 'index can leave its array',
  E407: 'initial value out of its range',
  E408: 'extern function without an implementation',
  E409: 'value must not depend on the state',
  E410: 'state space too large',
  C501: 'missing parent: a forward action the parent rules do not undo',
  C502: 'extra parent: a parent rule with no matching forward action',
  C503: 'cycle',
  C504: 'state outside the schema',
  C505: 'non-terminal dead end',
  C506: 'reward not positive and finite',
  C507: 'exploration incomplete',
  C508: 'walk cut short at its step limit',
  C509: 'nothing checked',
};

export function diagnostic(
  code: string,
  message: string,
  loc: Loc,
  severity: Severity = 'error',
): Diagnostic {
  return {
    severity,
    code,
    message,
    line: loc.line,
    column: loc.column,
    length: Math.max(1, loc.length),
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * `file:line:col: error E101: message`, then the source line and a caret under the span, as a
 * compiler prints it.
 */
export function formatDiagnostic(d: Diagnostic, source: string, file = '<spec>'): string {
  const lines = source.split(/\r?\n/);
  const head = `${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
  const text = lines[d.line - 1];
  if (text === undefined) return head;
  const gutter = String(d.line);
  const width = Math.max(1, Math.min(d.length, text.length - d.column + 1));
  const caret = ' '.repeat(Math.max(0, d.column - 1)) + '^'.repeat(width);
  return `${head}\n  ${gutter} | ${text}\n  ${' '.repeat(gutter.length)} | ${caret}`;
}

export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  source: string,
  file?: string,
): string {
  return diagnostics.map((d) => formatDiagnostic(d, source, file)).join('\n');
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
}
