import {
  type ContainerModule,
  type DiscreteEnv,
  type EnvParams,
  PluginRegistry,
  UserError,
  listNames,
} from '@gflownet/core';
import { resolveEnvParams } from '@gflownet/core/env';
import { type ResolvedEnv, loadModules, resolveEnv } from './discover.js';
import { paramPairs } from './flags.js';

/** An env built from a command's --env, --plugin and env parameter flags. */
export interface EnvSetup {
  resolved: ResolvedEnv;
  /** The env's module first, then the extra plugins: what createRun takes. */
  modules: { module: ContainerModule; from: string }[];
  registry: PluginRegistry;
  params: EnvParams;
  env: DiscreteEnv;
}

/** Resolves --env (name, package, module or spec), loads --plugin modules and creates the env. */
export async function setupEnv(
  values: Record<string, unknown>,
  extra: Record<string, string | number>,
): Promise<EnvSetup> {
  const envParams: Record<string, string | number> = {
    ...extra,
    ...paramPairs(values['param'] as string[] | undefined),
  };
  const pluginSpecs = (values['plugin'] as string[] | undefined) ?? [];
  const resolved = await resolveEnv(values['env'] as string, pluginSpecs);
  const plugins = (await loadModules(pluginSpecs)).filter((p) => p.module !== resolved.module);
  const modules = [{ module: resolved.module, from: resolved.from }, ...plugins];
  const registry = PluginRegistry.load(modules);
  const factory = registry.envFactory(resolved.name);
  const params = resolveEnvParams(factory, envParams);
  return { resolved, modules, registry, params, env: factory.create(params) };
}

/** The methods that are not a GFlowNet objective: uniform rollouts and MCMC. */
export const BASELINES = ['random', 'mcmc'];

/**
 * The names of a comma-separated `--flag` (gfn compare's methods, gfn optimize's generators):
 * objectives by loss name, and the baselines. An unknown name is a user error listing both.
 */
export function methodNames(
  setup: EnvSetup,
  flag: string,
  text: string,
  noun: string,
  objectives: string,
): string[] {
  const losses = new Set(setup.registry.list()['loss']?.map((p) => p.name) ?? []);
  const names = text.split(',').map((m) => m.trim());
  for (const m of names) {
    if (!losses.has(m) && !BASELINES.includes(m)) {
      throw new UserError(
        `--${flag}: unknown ${noun} '${m}' (${objectives}: ${listNames(losses)}; baselines: ${BASELINES.join(', ')})`,
      );
    }
  }
  return names;
}
