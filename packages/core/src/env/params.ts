import { UserError, listNames } from '../errors.js';
import type { EnvFactory, EnvParams, NumberParamSpec, ParamSpec, TextParamSpec } from './env.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parses a number given for a flag or parameter; `where` names it in the error message. */
export function parseNumber(raw: string | number, type: 'int' | 'float', where: string): number {
  // Decimal notation only: Number() would also take '0x10', '0b1', '' and ' '.
  const value = typeof raw === 'number' ? raw : DECIMAL.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value)) {
    throw new UserError(`${where}: '${raw}' is not a number`);
  }
  if (type === 'int' && !Number.isInteger(value)) {
    throw new UserError(`${where}: '${raw}' is not an integer`);
  }
  return value;
}

export function describeRange(spec: Pick<NumberParamSpec, 'min' | 'max'>): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min}..${spec.max}`;
  if (spec.min !== undefined) return `>= ${spec.min}`;
  if (spec.max !== undefined) return `<= ${spec.max}`;
  return 'any';
}

export function checkRange(
  value: number,
  spec: Pick<NumberParamSpec, 'min' | 'max'>,
  where: string,
): void {
  if (
    (spec.min !== undefined && value < spec.min) ||
    (spec.max !== undefined && value > spec.max)
  ) {
    throw new UserError(`${where}: ${value} is out of range (allowed: ${describeRange(spec)})`);
  }
}

/**
 * Env parameters from user input (flags, config file, code): every name must be one the factory
 * declares; values are parsed, range-checked and completed with defaults.
 */
export function resolveEnvParams(
  factory: EnvFactory,
  raw: Record<string, string | number>,
): EnvParams {
  const known = new Map(factory.params.map((p) => [p.name, p]));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      throw new UserError(
        `env '${factory.name}' has no parameter '${name}' (its parameters: ${listNames(known.keys()) || 'none'})`,
      );
    }
  }
  const out: EnvParams = {};
  for (const spec of factory.params) {
    out[spec.name] = parseParam(spec, raw[spec.name], `--${spec.name} (env '${factory.name}')`);
  }
  return out;
}

export function isTextParam(spec: ParamSpec): spec is TextParamSpec {
  return spec.type === 'choice' || spec.type === 'string';
}

/** The numeric parameters only (for env classes that take nothing else, like compiled specs). */
export function numericParams(params: EnvParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** A parameter's value from user input (the default when not given), parsed and checked. */
export function parseParam(
  spec: ParamSpec,
  given: string | number | undefined,
  where: string,
): number | string {
  if (isTextParam(spec)) {
    const value = given === undefined ? spec.default : String(given);
    if (spec.type === 'choice' && !spec.choices?.includes(value)) {
      throw new UserError(`${where}: '${value}' is not one of ${listNames(spec.choices ?? [])}`);
    }
    return value;
  }
  const value = given === undefined ? spec.default : parseNumber(given, spec.type, where);
  checkRange(value, spec, where);
  return value;
}

/** What `--help` shows of a parameter's values: its range or choices, and its default. */
export function describeParam(spec: ParamSpec): string {
  if (spec.type === 'choice')
    return `one of ${(spec.choices ?? []).join(', ')}; default ${spec.default}`;
  if (isTextParam(spec)) return spec.default === '' ? '' : `default ${spec.default}`;
  return `range ${describeRange(spec)}; default ${spec.default}`;
}

/** A numeric env parameter, for factories (resolveEnvParams has checked its type). */
export function numberParam(params: EnvParams, name: string, fallback: number): number {
  const value = params[name];
  return typeof value === 'number' ? value : fallback;
}

/** A text env parameter, for factories. */
export function textParam(params: EnvParams, name: string, fallback: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : fallback;
}
