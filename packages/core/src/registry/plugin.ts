import type { NumberParamSpec } from '../env/env.js';
import { checkRange, parseNumber } from '../env/params.js';
import { UserError, listNames } from '../errors.js';

/** What every named contribution carries, for choosing it by name and for listings. */
export interface PluginInfo {
  readonly name: string;
  readonly description: string;
  /** Numeric options, given as `NAME:KEY=VALUE,...` (e.g. `subtb:lambda=0.95`). */
  readonly options?: readonly NumberParamSpec[];
}

/** The plugin called `name`, or a UserError that lists the valid names of that kind. */
export function pickByName<T extends PluginInfo>(
  plugins: readonly T[],
  name: string,
  kind: string,
): T {
  const found = plugins.find((p) => p.name === name);
  if (!found) {
    throw new UserError(
      `unknown ${kind} '${name}' (valid ${kind} names: ${listNames(plugins.map((p) => p.name)) || 'none registered'})`,
    );
  }
  return found;
}

/** A plugin chosen by name, with raw option values: `subtb:lambda=0.9,foo=2`. */
export interface PluginChoice {
  name: string;
  options: Record<string, string>;
}

/**
 * Parses `NAME` or `NAME:KEY=VALUE,KEY=VALUE`; `where` names the flag in errors.
 */
export function parsePluginChoice(text: string, where: string): PluginChoice {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (name === '') throw new UserError(`${where}: '${text}' names no plugin`);
  const options: Record<string, string> = {};
  if (colon >= 0) {
    for (const part of text.slice(colon + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) {
        throw new UserError(`${where}: expected KEY=VALUE after '${name}:', got '${part}'`);
      }
      options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return { name, options };
}

/**
 * The plugin a `NAME[:KEY=VALUE,...]` choice names, with its options parsed, range-checked and
 * completed with defaults.
 */
export function choosePlugin<T extends PluginInfo>(
  plugins: readonly T[],
  text: string,
  kind: string,
  where: string,
): { plugin: T; options: Record<string, number> } {
  const choice = parsePluginChoice(text, where);
  const plugin = pickByName(plugins, choice.name, kind);
  return { plugin, options: resolvePluginOptions(plugin, choice.options, where) };
}

export function resolvePluginOptions(
  plugin: PluginInfo,
  raw: Record<string, string | number>,
  where: string,
): Record<string, number> {
  const specs: readonly NumberParamSpec[] = plugin.options ?? [];
  for (const key of Object.keys(raw)) {
    if (!specs.some((s) => s.name === key)) {
      throw new UserError(
        `${where}: '${plugin.name}' has no option '${key}' (its options: ${listNames(specs.map((s) => s.name)) || 'none'})`,
      );
    }
  }
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const at = `${where} (${plugin.name} option '${spec.name}')`;
    const given = raw[spec.name];
    const value = given === undefined ? spec.default : parseNumber(given, spec.type, at);
    checkRange(value, spec, at);
    out[spec.name] = value;
  }
  return out;
}
