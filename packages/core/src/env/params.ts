import { UserError, listNames } from '../errors.js';
import type { EnvFactory, EnvParams, ParamSpec } from './env.js';

/** Parses a number given for a flag or parameter; `where` names it in the error message. */
export function parseNumber(raw: string | number, type: 'int' | 'float', where: string): number {
  const value = typeof raw === 'number' ? raw : raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new UserError(`${where}: '${raw}' is not a number`);
  }
  if (type === 'int' && !Number.isInteger(value)) {
    throw new UserError(`${where}: '${raw}' is not an integer`);
  }
  return value;
}

export function describeRange(spec: Pick<ParamSpec, 'min' | 'max'>): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min}..${spec.max}`;
  if (spec.min !== undefined) return `>= ${spec.min}`;
  if (spec.max !== undefined) return `<= ${spec.max}`;
  return 'any';
}

export function checkRange(
  value: number,
  spec: Pick<ParamSpec, 'min' | 'max'>,
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
    const where = `--${spec.name} (env '${factory.name}')`;
    const given = raw[spec.name];
    const value = given === undefined ? spec.default : parseNumber(given, spec.type, where);
    checkRange(value, spec, where);
    out[spec.name] = value;
  }
  return out;
}
