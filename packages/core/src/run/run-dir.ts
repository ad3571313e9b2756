import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from './config.js';
import { UserError } from '../errors.js';
import type { SerializedModel } from '../policies/model.js';

/** What a run directory records about how its run was made, so it can be loaded again. */
export interface SavedRunConfig extends RunConfig {
  /** Modules to load: the env's module first, then extra plugins. */
  modules: string[];
}

export const RUN_FILES = {
  config: 'config.json',
  model: 'model.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
} as const;

/** Writes JSON atomically (temp file, then rename), so a crash never leaves half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Writes a run directory's config.json and model.json (creating the directory). */
export function writeRunDir(dir: string, config: SavedRunConfig, model: SerializedModel): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, RUN_FILES.config), config);
  writeJsonAtomic(join(dir, RUN_FILES.model), model);
}

/** A run directory's config.json alone (to find the modules before loading the run). */
export function readRunConfig(dir: string): SavedRunConfig {
  return readRunDir(dir).config;
}

export function readRunDir(dir: string): { config: SavedRunConfig; model: SerializedModel } {
  const configPath = join(dir, RUN_FILES.config);
  const modelPath = join(dir, RUN_FILES.model);
  if (!existsSync(configPath) || !existsSync(modelPath)) {
    throw new UserError(
      `'${dir}' is not a run directory (it needs ${RUN_FILES.config} and ${RUN_FILES.model}; ` +
        "make one with 'gfn train --out DIR')",
    );
  }
  return {
    config: readJson(configPath) as SavedRunConfig,
    model: readJson(modelPath) as SerializedModel,
  };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
