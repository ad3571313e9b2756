import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ContainerModule, EnvFactory, PluginRegistry, UserError, listNames } from '@gflownet/core';
import { SpecExtern, loadSpecModule } from '@gflownet/dsl';
import { registerPluginHooks } from './plugin-hooks.js';

/**
 * What a package declares to the CLI in the `gflownet` field of its package.json, so that the
 * CLI can find it without importing every installed package:
 *
 *   "gflownet": { "module": "./dist/module.js", "envs": ["molecule"],
 *                 "commands": { "molecule": "molecule tools: score, draw, train-proxy" } }
 *
 * `module` exports a ContainerModule (default export or `module`); `envs` are the env names it
 * registers; `commands` the top-level `gfn` commands it contributes, with their summary.
 */
export interface PackageManifest {
  module: string;
  envs?: string[];
  commands?: Record<string, string>;
}

export interface DiscoveredPackage {
  name: string;
  dir: string;
  manifest: PackageManifest;
}

let discovered: DiscoveredPackage[] | undefined;

/**
 * The gflownet packages installed where the CLI runs: the dependencies of the nearest
 * package.json at or above the working directory, and the CLI's own. Each package is read once
 * (its package.json only; nothing is imported), and once per process: a command asks often.
 */
export function discoverPackages(): DiscoveredPackage[] {
  discovered ??= findPackages();
  return discovered;
}

function findPackages(): DiscoveredPackage[] {
  const found = new Map<string, DiscoveredPackage>();
  const roots = [
    nearestPackageJson(process.cwd()),
    fileURLToPath(new URL('../package.json', import.meta.url)),
  ];
  for (const root of roots) {
    if (!root || !existsSync(root)) continue;
    const pkg = readJson(root) as Record<string, Record<string, string> | undefined>;
    const names = Object.keys({
      ...pkg['dependencies'],
      ...pkg['devDependencies'],
      ...pkg['optionalDependencies'],
      ...pkg['peerDependencies'],
    });
    const req = createRequire(root);
    for (const name of names) {
      if (found.has(name)) continue;
      let manifestPath: string;
      try {
        manifestPath = req.resolve(`${name}/package.json`);
      } catch {
        continue;
      }
      const manifest = (readJson(manifestPath) as { gflownet?: PackageManifest }).gflownet;
      if (manifest && typeof manifest.module === 'string') {
        found.set(name, { name, dir: dirname(manifestPath), manifest });
      }
    }
  }
  return [...found.values()];
}

/** The module of a discovered package, loaded. */
export function loadPackageModule(pkg: DiscoveredPackage): Promise<ContainerModule> {
  return importContainerModule(
    pathToFileURL(join(pkg.dir, pkg.manifest.module)).href,
    pkg.name,
    false,
  );
}

/** The modules of every discovered package that registers an env. */
export async function loadEnvPackages(): Promise<{ module: ContainerModule; from: string }[]> {
  const out = [];
  for (const pkg of discoverPackages()) {
    if ((pkg.manifest.envs ?? []).length === 0) continue;
    out.push({ module: await loadPackageModule(pkg), from: pkg.name });
  }
  return out;
}

export function isSpecPath(specifier: string): boolean {
  return specifier.endsWith('.gfn');
}

/**
 * Loads plugin modules and spec files, each named by where it came from. Plugins come first, so
 * that the extern functions they provide (SpecExtern contributions) are there when the specs are
 * compiled.
 */
export async function loadModules(
  specifiers: readonly string[],
): Promise<{ module: ContainerModule; from: string }[]> {
  const out = new Map<string, ContainerModule>();
  for (const s of specifiers.filter((x) => !isSpecPath(x))) out.set(s, await loadPluginModule(s));
  const specs = specifiers.filter(isSpecPath);
  if (specs.length > 0) {
    const externs = specExterns([...out.values()]);
    for (const s of specs) out.set(s, loadSpecModule(specPath(s), externs));
  }
  // Paths are kept absolute, so that a saved run finds its modules from any directory.
  return specifiers.map((s) => ({ module: out.get(s)!, from: isPathLike(s) ? resolve(s) : s }));
}

/**
 * The modules a saved run names, loaded only when they are safe to import: installed packages
 * that declare themselves gflownet packages (and their subpaths), .gfn specs (data, compiled without running their text), and
 * modules the user names on this command line with --plugin; everything else needs `trust`. A
 * run directory someone sends you is data: opening it never runs code that it names.
 */
export async function loadRunModules(
  saved: readonly string[],
  named: readonly string[],
  trust: boolean,
): Promise<{ module: ContainerModule; from: string }[]> {
  const installed = discoverPackages().map((p) => p.name);
  const same = (a: string, b: string) =>
    a === b || (isPathLike(a) && isPathLike(b) && resolve(a) === resolve(b));
  for (const m of saved) {
    const safe =
      isSpecPath(m) ||
      installed.some((p) => m === p || m.startsWith(`${p}/`)) ||
      declaredPackage(m) !== null ||
      named.some((n) => same(n, m));
    if (!safe && !trust) {
      throw new UserError(
        `the run was made with the plugin module '${m}'; opening it would run that module's code. ` +
          `Name it on the command line (--plugin ${m}) or pass --trust`,
      );
    }
  }
  return loadModules(saved);
}

function isPathLike(s: string): boolean {
  return s.startsWith('.') || isAbsolute(s);
}

/** The extern functions for specs that the given plugin modules contribute. */
export function specExterns(
  modules: readonly (ContainerModule | { module: ContainerModule; from: string })[],
): SpecExtern[] {
  return PluginRegistry.load(modules).all(SpecExtern);
}

/** The absolute path of a spec file; a clear error when it is missing. */
export function specPath(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new UserError(`spec file '${file}' does not exist`);
  if (statSync(path).isDirectory()) throw new UserError(`spec file '${file}' is a directory`);
  return path;
}

/**
 * Loads a plugin module: a file (.js, .mjs or .ts) or package directory by path, or an installed
 * package by name (its `gflownet.module` when it declares one, else its entry point). The module
 * exports a ContainerModule as its default export or as `module`.
 */
export async function loadPluginModule(specifier: string): Promise<ContainerModule> {
  const discovered =
    discoverPackages().find((p) => p.name === specifier) ?? declaredPackage(specifier);
  if (discovered) return loadPackageModule(discovered);
  // Files given by path may sit outside any project and be TypeScript: they get the hooks.
  const isPath = isPathLike(specifier);
  return importContainerModule(resolveSpecifier(specifier), specifier, isPath);
}

async function importContainerModule(
  url: string,
  specifier: string,
  hooks: boolean,
): Promise<ContainerModule> {
  if (hooks) await registerPluginHooks();
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

/** An installed package, found by name, that declares a `gflownet` module; else null. */
function declaredPackage(name: string): DiscoveredPackage | null {
  if (isPathLike(name)) return null;
  for (const base of [resolve(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      const manifestPath = createRequire(base).resolve(`${name}/package.json`);
      const manifest = (readJson(manifestPath) as { gflownet?: PackageManifest }).gflownet;
      return manifest?.module ? { name, dir: dirname(manifestPath), manifest } : null;
    } catch {
      // try the next base
    }
  }
  return null;
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
    const manifestPath = join(path, 'package.json');
    const manifest = existsSync(manifestPath)
      ? (readJson(manifestPath) as { gflownet?: PackageManifest }).gflownet
      : undefined;
    if (manifest?.module) return pathToFileURL(join(path, manifest.module)).href;
    try {
      return pathToFileURL(createRequire(manifestPath).resolve(path)).href;
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

export interface ResolvedEnv {
  /** Where the env's module comes from: a spec path, a package name or a module path. */
  from: string;
  /** The env factory's registered name. */
  name: string;
  module: ContainerModule;
}

/**
 * Maps `--env` to the module that provides it: a `.gfn` spec file (compiled with the extern
 * functions of `plugins`); an env name that an installed package declares, or that a --plugin
 * module registers; or a package name or path whose module registers one env (or one named
 * after the package).
 */
export async function resolveEnv(
  env: string,
  plugins: readonly string[] = [],
): Promise<ResolvedEnv> {
  if (isSpecPath(env)) {
    const path = specPath(env);
    const { module } = (await loadModules([...plugins, path])).at(-1)!;
    const [factory] = PluginRegistry.load([module]).all(EnvFactory);
    return { from: path, name: factory!.name, module };
  }
  if (!isModuleSpecifier(env)) {
    const packages = discoverPackages();
    const owner = packages.find((p) => p.manifest.envs?.includes(env));
    if (owner) return { from: owner.name, name: env, module: await loadPackageModule(owner) };
    for (const plugin of plugins) {
      const module = await loadPluginModule(plugin);
      const names = PluginRegistry.load([module])
        .all(EnvFactory)
        .map((f) => f.name);
      if (names.includes(env))
        return { from: isPathLike(plugin) ? resolve(plugin) : plugin, name: env, module };
    }
    const known = packages.flatMap((p) => p.manifest.envs ?? []);
    throw new UserError(
      `unknown env '${env}' (installed env names: ${listNames(known) || 'none'}; ` +
        'or an npm package name, a path to a module, a .gfn file, or an env of a --plugin module)',
    );
  }
  const module = await loadPluginModule(env);
  const factories = PluginRegistry.load([module]).all(EnvFactory);
  // A module with several envs: the one named after the package is its default.
  const chosen =
    factories.length === 1 ? factories[0] : factories.find((f) => f.name === packageEnvName(env));
  if (!chosen) {
    throw new UserError(
      `module '${env}' registers ${factories.length} envs (${listNames(factories.map((f) => f.name))}); ` +
        `choose one with --env NAME --plugin ${env}`,
    );
  }
  return { from: isPathLike(env) ? resolve(env) : env, name: chosen.name, module };
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
    .replace(/\.[cm]?[jt]s$/, '');
  return base.replace(/^(gflownet-)?env-/, '');
}

function nearestPackageJson(from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
