import { ContainerModule, EnvFactory, numericParams, token } from '@gflownet/core';
import type { ExternFunction } from './codegen/instantiate-spec.js';
import { type SpecEnvClass, loadSpecFile } from './runtime/compile-spec.js';

/**
 * Extern implementations for specs. A plugin module binds one per function:
 * `bind(SpecExtern).toConstantValue({ name: 'qed', fn: (atoms) => ... })`.
 */
export const SpecExtern = token<SpecExtern>('@gflownet/dsl/SpecExtern');
export interface SpecExtern {
  name: string;
  fn: ExternFunction;
}

/** The env factory of a compiled spec class. */
export function specEnvFactory(EnvClass: SpecEnvClass, description?: string): EnvFactory {
  return {
    name: EnvClass.specName,
    description: description ?? `env compiled from the spec '${EnvClass.specName}'`,
    params: EnvClass.params,
    create: (params) => new EnvClass(numericParams(params)),
  };
}

/** A ContainerModule registering the env of a compiled spec class. */
export function specEnvModule(EnvClass: SpecEnvClass, description?: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(EnvFactory).toConstantValue(specEnvFactory(EnvClass, description));
  });
}

/**
 * Compiles a spec file into a ContainerModule (what `gfn train path/to/spec.gfn` loads). Extern
 * functions come from `externs`, e.g. gathered from the SpecExtern bindings of loaded plugins.
 */
export function loadSpecModule(path: string, externs: readonly SpecExtern[] = []): ContainerModule {
  const EnvClass = loadSpecFile(path, {
    externs: Object.fromEntries(externs.map((x) => [x.name, x.fn])),
  });
  return specEnvModule(EnvClass, `env compiled from ${path}`);
}
