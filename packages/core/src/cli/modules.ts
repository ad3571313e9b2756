import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container, ContainerModule } from 'inversify';
import { UserError } from '../errors.js';

/** Env names that map to packages of this project. */
export const BUILTIN_ENVS: Record<string, string> = {
  hypergrid: '@gflownet/env-hypergrid',
  'hypergrid-ts': '@gflownet/env-hypergrid',
  molecule: '@gflownet/env-molecule/module',
};

/** Each module that provides a built-in env, once. */
export function builtinEnvModules(): string[] {
  return [...new Set(Object.values(BUILTIN_ENVS))];
}

/**
 * The modules of the built-in envs whose packages are installed (core does not depend on them;
 * a user may install only some).
 */
export async function loadBuiltinEnvModules(): Promise<ContainerModule[]> {
  const out: ContainerModule[] = [];
  for (const specifier of builtinEnvModules()) {
    try {
      resolveSpecifier(specifier);
    } catch {
      continue;
    }
    out.push(await loadPluginModule(specifier));
  }
  return out;
}

/** The DI token under which plugins provide extern functions for specs (owned by @gflownet/dsl). */
const SPEC_EXTERN = Symbol.for('@gflownet/dsl/SpecExtern');

/** What the CLI uses of @gflownet/dsl, typed here because core does not depend on it. */
export interface DslModule {
  loadSpecModule(path: string, externs: readonly unknown[]): ContainerModule;
  compileSpec(
    source: string,
    options: { file?: string; externs?: Record<string, unknown> },
  ): {
    EnvClass: (new (params: Record<string, number>) => unknown) | null;
    diagnostics: { severity: string }[];
  };
  formatDiagnostics(d: readonly unknown[], source: string, file?: string): string;
  checkSpecEnv(env: unknown, o: { limit: number; walks: number; seed: number }): Promise<unknown>;
  formatCheckReport(r: unknown, file: string): string;
  checkFailed(r: unknown): boolean;
  SpecError: new (...args: never[]) => Error;
}

/** A package core does not depend on, imported when a command needs it. */
async function loadOptionalPackage<T>(name: string, neededFor: string): Promise<T> {
  let url: string;
  try {
    url = resolveSpecifier(name);
  } catch {
    throw new UserError(`${neededFor}: install it with npm install ${name}`);
  }
  return (await import(url)) as T;
}

/** The spec compiler, loaded on demand: core does not depend on it. */
export function loadDsl(): Promise<DslModule> {
  return loadOptionalPackage('@gflownet/dsl', 'spec files (.gfn) need the spec compiler');
}

/** What the CLI uses of @gflownet/env-molecule (`gfn molecule ...`). */
export interface MoleculeModule {
  moleculeCommand(argv: readonly string[]): Promise<number | void>;
  moleculeHelp(command?: string): string;
  MOLECULE_COMMANDS: readonly string[];
}

/** The molecule package, loaded on demand: core does not depend on it. */
export function loadMoleculePackage(): Promise<MoleculeModule> {
  return loadOptionalPackage('@gflownet/env-molecule', "'gfn molecule' needs the molecule package");
}

export function isSpecPath(specifier: string): boolean {
  return specifier.endsWith('.gfn');
}

/**
 * Loads plugin modules and spec files. Plugins come first so that the extern functions they
 * provide (SpecExtern bindings) are there when the specs are compiled.
 */
export async function loadModules(specifiers: readonly string[]): Promise<ContainerModule[]> {
  const out = new Map<string, ContainerModule>();
  const plugins = specifiers.filter((s) => !isSpecPath(s));
  for (const s of plugins) out.set(s, await loadPluginModule(s));
  const specs = specifiers.filter(isSpecPath);
  if (specs.length > 0) {
    const dsl = await loadDsl();
    const externs = specExterns([...out.values()]);
    for (const s of specs) out.set(s, dsl.loadSpecModule(specPath(s), externs));
  }
  return specifiers.map((s) => out.get(s)!);
}

/** The extern functions for specs that the given plugin modules bind. */
export function specExterns(modules: readonly ContainerModule[]): { name: string; fn: unknown }[] {
  const container = new Container();
  container.loadSync(...modules);
  return container.isBound(SPEC_EXTERN) ? container.getAll(SPEC_EXTERN) : [];
}

/** The absolute path of a spec file; a clear error when it is missing. */
export function specPath(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`spec file '${file}' does not exist`);
  return path;
}

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
    if (!statSync(path).isDirectory()) return pathToFileURL(path).href;
    // A package directory: its entry point, as package.json names it.
    try {
      return pathToFileURL(createRequire(join(path, 'package.json')).resolve(path)).href;
    } catch {
      throw new UserError(`directory '${specifier}' is not a package with an entry point`);
    }
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
