import type { ServiceIdentifier } from 'inversify';

/**
 * A typed contribution token. Each token shares its name with the interface it stands for, so a
 * plugin module reads `bind(LossPlugin).toConstantValue({...})` and `registry.all(LossPlugin)` is
 * typed `LossPlugin[]`.
 */
export type Token<T> = ServiceIdentifier<T>;

/** A token named `@scope/package/Name`; Symbol.for, so two copies of a package agree on it. */
export function token<T>(name: string): Token<T> {
  return Symbol.for(name);
}
