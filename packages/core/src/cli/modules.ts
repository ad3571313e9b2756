import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContainerModule } from 'inversify';
import { UserError } from '../errors.js';

/** Env names that map to packages of this project. */
export const BUILTIN_ENVS: Record<string, string> = {
  hypergrid: '@gflownet/env-hypergrid',
};

/**
 * Loads a plugin module (an env package or any module exporting a ContainerModule as its default
 * export or as `module`). Package names are resolved from the working directory first, then from
 * this package, so that both a user's project and the workspace find them.
 */
export async function loadPluginModule(specifier: string): Promise<ContainerModule> {
  const url = resolveSpecifier(specifier);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserError(`could not load plugin module '${specifier}': ${why}`);
  }
  const candidate = mod['default'] ?? mod['module'];
  if (!isContainerModule(candidate)) {
    throw new UserError(
      `module '${specifier}' does not export a ContainerModule (as its default export or as 'module')`,
    );
  }
  return candidate;
}

function isContainerModule(x: unknown): x is ContainerModule {
  return (
    x instanceof ContainerModule ||
    (typeof x === 'object' && x !== null && typeof (x as { load?: unknown }).load === 'function')
  );
}

function resolveSpecifier(specifier: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = resolve(specifier);
    if (!existsSync(path)) throw new UserError(`plugin module '${specifier}' does not exist`);
    return pathToFileURL(path).href;
  }
  const bases = [resolve(process.cwd(), 'package.json'), import.meta.url];
  for (const base of bases) {
    try {
      return pathToFileURL(createRequire(base).resolve(specifier)).href;
    } catch {
      // try the next base
    }
  }
  throw new UserError(
    `cannot find package '${specifier}'; install it (npm install ${specifier}) or give a path`,
  );
}
