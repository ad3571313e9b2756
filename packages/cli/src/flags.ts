import { type FlagSpec, type FlagValue, UserError, listNames } from '@gflownet/core';
import { checkRange, describeRange, parseNumber } from '@gflownet/core/env';

export type { FlagSpec, FlagValue };

export interface ParsedFlags {
  values: Record<string, FlagValue>;
  /** Flags not in the table (env parameters), raw. */
  extra: Record<string, string>;
  positional: string[];
}

/**
 * Parses `--name value`, `--name=value`, `-n value` and bare boolean flags. Flags missing from the
 * table go to `extra` when `allowExtra`, else they are an error that lists the valid flags.
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  allowExtra: boolean,
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byAlias = new Map(specs.filter((s) => s.alias).map((s) => [s.alias!, s]));
  const raw: Record<string, string[]> = {};
  // No prototype: '--__proto__' is a name like any other, reported rather than swallowed.
  const extra: Record<string, string> = Object.create(null) as Record<string, string>;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = long ? byName.get(name) : byAlias.get(name);
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec?.type === 'bool') {
      raw[spec.name] = [value ?? 'true'];
      continue;
    }
    if (value === undefined) {
      const nextArg = argv[i + 1];
      if (nextArg === undefined || (nextArg.startsWith('--') && nextArg.length > 2)) {
        throw new UserError(`flag ${arg} needs a value`);
      }
      value = nextArg;
      i++;
    }
    if (spec) {
      (raw[spec.name] ??= []).push(value);
    } else if (long && allowExtra) {
      extra[name] = value;
    } else {
      const hint = didYouMean(
        name,
        specs.map((s) => s.name),
      );
      throw new UserError(
        `unknown flag ${arg}${hint ? ` (did you mean --${hint}?)` : ''} (valid flags: ${listNames(specs.map((s) => `--${s.name}`))})`,
      );
    }
  }
  const values: Record<string, FlagValue> = {};
  for (const spec of specs) {
    const given = raw[spec.name];
    if (given === undefined) continue;
    if (!spec.repeatable && given.length > 1)
      throw new UserError(`flag --${spec.name} was given more than once`);
    values[spec.name] = spec.repeatable ? given : convertFlag(spec, given[0]!);
  }
  return { values, extra, positional };
}

/** Converts and checks one flag value (from the command line or a config file). */
/** Gives each flag that was not given its default (flags without one stay undefined). */
export function applyDefaults(values: Record<string, FlagValue>, specs: readonly FlagSpec[]): void {
  for (const spec of specs) {
    if (values[spec.name] === undefined && spec.default !== undefined)
      values[spec.name] = spec.default;
  }
}

export function convertFlag(spec: FlagSpec, raw: unknown): FlagValue {
  const where = `--${spec.name}`;
  switch (spec.type) {
    case 'int':
    case 'float': {
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new UserError(`${where}: expected a number, got ${JSON.stringify(raw)}`);
      }
      const value = parseNumber(raw, spec.type, where);
      checkRange(value, spec, where);
      return value;
    }
    case 'schedule': {
      // Parsed once, with its range, where the run is created.
      if (typeof raw === 'number') return raw;
      if (typeof raw !== 'string') {
        throw new UserError(
          `${where}: expected a number or a schedule, got ${JSON.stringify(raw)}`,
        );
      }
      return /^\s*-?[\d.]+(e[+-]?\d+)?\s*$/i.test(raw) ? parseNumber(raw, 'float', where) : raw;
    }
    case 'int-list': {
      const items = Array.isArray(raw) ? raw : String(raw).split(',');
      const list = items.map((x) =>
        parseNumber(typeof x === 'number' ? x : String(x), 'int', where),
      );
      if (list.length === 0) throw new UserError(`${where}: give at least one size`);
      for (const v of list) checkRange(v, spec, where);
      return list;
    }
    case 'bool': {
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw new UserError(`${where}: expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'string': {
      if (typeof raw !== 'string')
        throw new UserError(`${where}: expected a string, got ${JSON.stringify(raw)}`);
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UserError(`${where}: '${raw}' is not one of ${listNames(spec.choices)}`);
      }
      return raw;
    }
  }
}

/** Help text for a command, generated from its flag table. */
export function formatHelp(
  usage: string,
  summary: string,
  specs: readonly FlagSpec[],
  footer = '',
): string {
  const rows = specs.map((s) => {
    const left = `${s.alias ? `-${s.alias}, ` : ''}--${s.name}${s.type === 'bool' ? '' : ` ${s.placeholder ?? placeholderOf(s)}`}`;
    const notes: string[] = [];
    if (s.choices) notes.push(`one of ${s.choices.join(', ')}`);
    else if (
      (s.type === 'int' || s.type === 'float' || s.type === 'int-list' || s.type === 'schedule') &&
      (s.min !== undefined || s.max !== undefined)
    ) {
      notes.push(`range ${describeRange(s)}`);
    }
    if (s.default !== undefined && s.type !== 'bool') {
      notes.push(`default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)}`);
    }
    if (s.repeatable) notes.push('repeatable');
    return [left, `${s.description}${notes.length ? ` (${notes.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const body = rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${body}\n${footer ? `\n${footer}\n` : ''}`;
}

function placeholderOf(s: FlagSpec): string {
  switch (s.type) {
    case 'int':
      return 'N';
    case 'float':
      return 'X';
    case 'int-list':
      return 'N,N,...';
    case 'schedule':
      return 'X|SCHEDULE';
    default:
      return s.choices ? s.choices.join('|') : 'VALUE';
  }
}

/** The env's parameters and extra plugin modules, for commands that build an env (train, compare). */
export const ENV_INPUT_FLAGS: FlagSpec[] = [
  {
    name: 'param',
    type: 'string',
    repeatable: true,
    placeholder: 'NAME=VALUE',
    description: 'env parameter (same as --NAME VALUE)',
  },
  {
    name: 'plugin',
    type: 'string',
    repeatable: true,
    placeholder: 'MODULE',
    description: 'extra plugin module (package or path)',
  },
];

/** --backend, which every command that computes takes. */
export const BACKEND_FLAG: FlagSpec = {
  name: 'backend',
  type: 'string',
  default: 'auto',
  choices: ['auto', 'node', 'wasm', 'cpu'],
  description: 'tensor backend',
};

export const HELP_FLAG: FlagSpec = {
  name: 'help',
  type: 'bool',
  alias: 'h',
  description: 'show this help',
};

/** How gfn compare and gfn optimize count modes of envs that do not name their own. */
export const MODE_FLAGS: FlagSpec[] = [
  {
    name: 'mode-min-score',
    type: 'float',
    description:
      'envs without their own modes: a mode is an object scoring at least this (no mode count without it)',
  },
  {
    name: 'mode-distance',
    type: 'float',
    default: 0.3,
    min: 0,
    description:
      "...at least this far from every mode before it (the env's distance: 1 - Tanimoto for molecules)",
  },
];

/** Flags shared by the commands that load a trained run (sample, eval). */
export const RUN_DIR_FLAGS: FlagSpec[] = [
  {
    name: 'run',
    type: 'string',
    placeholder: 'DIR',
    description: 'run directory written by gfn train (required)',
  },
  { name: 'seed', type: 'int', default: 0, min: 0, max: 2 ** 31 - 1, description: 'random seed' },
  BACKEND_FLAG,
  {
    name: 'plugin',
    type: 'string',
    repeatable: true,
    placeholder: 'MODULE',
    description: 'a plugin module the run was trained with (loaded only when named here)',
  },
  {
    name: 'trust',
    type: 'bool',
    description: 'load every module the run names, without naming each with --plugin',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

/** `--param NAME=VALUE` pairs (repeatable) as an object of raw values. */
export function paramPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--param: expected NAME=VALUE, got '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The candidate closest to `name` by edit distance, when it is close enough to be a typo. */
export function didYouMean(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 4)) + 1 ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}
