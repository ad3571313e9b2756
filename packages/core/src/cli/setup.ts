import type { ContainerModule } from 'inversify';
import { BACKENDS, type BackendInfo, type BackendName, initBackend } from '../backend.js';
import { createContainer } from '../di/run.js';
import { EnvFactory } from '../di/tokens.js';
import { UserError, listNames } from '../errors.js';
import { BUILTIN_ENVS, isSpecPath, loadModules, loadPluginModule, specPath } from './modules.js';

/** Writes informational lines to stderr so that stdout carries only results. */
export function info(text: string): void {
  process.stderr.write(`${text}\n`);
}

export async function startBackend(name: string | undefined): Promise<BackendInfo> {
  const preference = name === undefined || name === 'auto' ? undefined : (name as BackendName);
  if (preference !== undefined && !BACKENDS.includes(preference)) {
    throw new UserError(`--backend: '${name}' is not one of ${listNames(['auto', ...BACKENDS])}`);
  }
  const backend = await initBackend(preference);
  info(`backend: ${backend.name} (${backend.detail})`);
  return backend;
}

export interface ResolvedEnv {
  /** The module specifier that provides the env. */
  module: string;
  /** The env factory's registered name. */
  name: string;
}

/**
 * Maps `--env` to the module that provides it: a built-in name, a `.gfn` spec file (compiled with
 * the extern functions of `plugins`), or an npm package / path whose module registers exactly one
 * env.
 */
export async function resolveEnv(
  env: string,
  plugins: readonly string[] = [],
): Promise<{ resolved: ResolvedEnv; module: ContainerModule }> {
  if (isSpecPath(env)) {
    const path = specPath(env);
    const [module] = (await loadModules([path, ...plugins])) as [ContainerModule];
    const [factory] = createContainer([module]).getAll<EnvFactory>(EnvFactory);
    return { resolved: { module: path, name: factory!.name }, module };
  }
  const builtin = BUILTIN_ENVS[env];
  const specifier = builtin ?? env;
  if (
    !builtin &&
    !env.startsWith('.') &&
    !env.startsWith('/') &&
    !env.includes('/') &&
    !env.startsWith('@')
  ) {
    throw new UserError(
      `unknown env '${env}' (valid env names: ${listNames(Object.keys(BUILTIN_ENVS))}; ` +
        'or give an npm package name or a path to a module)',
    );
  }
  const module = await loadPluginModule(specifier);
  if (builtin) return { resolved: { module: specifier, name: env }, module };
  const factories = createContainer([module]).getAll<EnvFactory>(EnvFactory);
  if (factories.length !== 1) {
    throw new UserError(
      `module '${env}' registers ${factories.length} envs (${listNames(factories.map((f) => f.name))}); expected exactly one`,
    );
  }
  return { resolved: { module: specifier, name: factories[0]!.name }, module };
}
