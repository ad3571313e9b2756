import { UserError, listNames } from '../errors.js';
import type { PluginInfo } from './tokens.js';

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
