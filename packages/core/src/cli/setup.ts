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
  if (!builtin && !isModuleSpecifier(env)) {
    for (const plugin of plugins) {
      const module = await loadPluginModule(plugin);
      const names = createContainer([module])
        .getAll<EnvFactory>(EnvFactory)
        .map((f) => f.name);
      if (names.includes(env)) return { resolved: { module: plugin, name: env }, module };
    }
    throw new UserError(
      `unknown env '${env}' (valid env names: ${listNames(Object.keys(BUILTIN_ENVS))}; ` +
        'or an npm package name, a path to a module, a .gfn file, or an env of a --plugin module)',
    );
  }
  const module = await loadPluginModule(specifier);
  if (builtin) return { resolved: { module: specifier, name: env }, module };
  const factories = createContainer([module]).getAll<EnvFactory>(EnvFactory);
  // A module with several envs: the one named after the package is its default.
  const chosen =
    factories.length === 1 ? factories[0] : factories.find((f) => f.name === packageEnvName(env));
  if (!chosen) {
    throw new UserError(
      `module '${env}' registers ${factories.length} envs (${listNames(factories.map((f) => f.name))}); ` +
        `choose one with --env NAME --plugin ${env}`,
    );
  }
  return { resolved: { module: specifier, name: chosen.name }, module };
}

/** A package name or a path, as opposed to a bare env name. */
function isModuleSpecifier(env: string): boolean {
  return env.startsWith('.') || env.startsWith('/') || env.includes('/') || env.startsWith('@');
}

/** The env a package is named after: '@scope/env-foo' and 'env-foo' name 'foo'. */
export function packageEnvName(specifier: string): string {
  const base = specifier
    .split('/')
    .at(-1)!
    .replace(/\.[cm]?js$/, '');
  return base.replace(/^(gflownet-)?env-/, '');
}
