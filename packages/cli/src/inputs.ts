import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { EnvFactory, RunInput, SavedRunConfig } from '@gflownet/core';
import { UserError } from '@gflownet/core';
import { isSpecPath } from './discover.js';

/**
 * Env parameters that name input files or directories (`input` in their ParamSpec), made
 * absolute: a relative --vocab then means the same file wherever the run is opened.
 */
export function absoluteInputParams(
  factory: EnvFactory,
  envParams: Record<string, string | number>,
): Record<string, string | number> {
  const out = Object.assign(Object.create(null) as Record<string, string | number>, envParams);
  for (const spec of factory.params) {
    const value = out[spec.name];
    if ('input' in spec && spec.input && typeof value === 'string' && value !== '') {
      out[spec.name] = resolve(value);
    }
  }
  return out;
}

/**
 * Copies the run's inputs (its .gfn spec, files named by env parameters) into `dir/inputs/`, and
 * returns where each came from with its content hash, to save in config.json.
 */
export function keepInputs(
  dir: string,
  factory: EnvFactory,
  envParams: Record<string, string | number>,
  modules: readonly string[],
): Record<string, RunInput> {
  const sources: [string, string][] = modules.filter(isSpecPath).map((m) => [`module:${m}`, m]);
  for (const spec of factory.params) {
    const value = envParams[spec.name];
    if ('input' in spec && spec.input && typeof value === 'string' && value !== '') {
      sources.push([`param:${spec.name}`, value]);
    }
  }
  const inputs: Record<string, RunInput> = {};
  if (sources.length === 0) return inputs;
  mkdirSync(join(dir, 'inputs'), { recursive: true });
  for (const [key, source] of sources) {
    const copy = join(
      'inputs',
      `${key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-${basename(source)}`,
    );
    cpSync(source, join(dir, copy), { recursive: true });
    inputs[key] = { source, sha256: contentHash(source), copy };
  }
  return inputs;
}

/**
 * A saved run's modules and env parameters with its inputs pointing at the run's own copies.
 * When an original has changed or gone since training, says so: the run uses what it was
 * trained on, never an edited file.
 */
export function runInputs(
  dir: string,
  config: SavedRunConfig,
  note: (text: string) => void,
): { modules: string[]; envParams: Record<string, string | number> } {
  const modules = [...config.modules];
  const envParams = { ...config.envParams };
  for (const [key, input] of Object.entries(config.inputs ?? {})) {
    const copy = join(dir, input.copy);
    if (!existsSync(copy)) {
      throw new UserError(`the run's copy of ${input.source} (${relative('.', copy)}) is missing`);
    }
    if (!existsSync(input.source)) {
      note(`note: ${input.source} is gone; the run uses its own copy`);
    } else if (contentHash(input.source) !== input.sha256) {
      note(`note: ${input.source} changed since the run was trained; the run uses its own copy`);
    }
    if (key.startsWith('module:')) {
      const index = modules.indexOf(key.slice('module:'.length));
      if (index >= 0) modules[index] = copy;
    } else if (key.startsWith('param:')) {
      envParams[key.slice('param:'.length)] = copy;
    }
  }
  return { modules, envParams };
}

/** sha256 of a file, or of a directory's files (names and contents, in name order). */
function contentHash(path: string): string {
  const hash = createHash('sha256');
  const add = (p: string, name: string) => {
    if (statSync(p).isDirectory()) {
      for (const child of readdirSync(p).sort()) add(join(p, child), `${name}/${child}`);
    } else {
      hash.update(`${name}\0`);
      hash.update(readFileSync(p));
    }
  };
  add(path, '.');
  return hash.digest('hex');
}
