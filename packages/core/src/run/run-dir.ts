import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { deserializeTensor } from '../policies/estimator.js';
import type { SerializedModel } from '../policies/model.js';
import type { RunConfig } from './config.js';

/** What a run directory records about how its run was made, so it can be loaded again. */
export interface SavedRunConfig extends RunConfig {
  /** Where the modules came from: the env's first, then extra plugins. */
  modules: string[];
  /**
   * Input files the run depends on (spec sources, env parameters that name files), copied into
   * the run directory: where each came from, its content hash, and the copy's path in the run.
   */
  inputs?: Record<string, RunInput>;
}

export interface RunInput {
  source: string;
  sha256: string;
  /** Relative to the run directory. */
  copy: string;
}

export const RUN_FILES = {
  config: 'config.json',
  model: 'model.json',
  checkpoint: 'checkpoint.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  /** An oracle's scores, when the run is trained with one (see ScoreLog). */
  oracleScores: 'oracle-scores.jsonl',
} as const;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one, never
 * a mix: a temporary file next to it, fsync, rename over the target, fsync of the directory.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Removes the temporary files that a write killed half-way left (see writeFileAtomic). */
export function removeTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (/^\..+\.tmp-\d+$/.test(name)) rmSync(join(dir, name), { force: true });
  }
}

/** Writes JSON atomically (see writeFileAtomic). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a run directory's config.json and model.json (creating the directory). */
export function writeRunDir(dir: string, config: SavedRunConfig, model: SerializedModel): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, RUN_FILES.config), config);
  writeJsonAtomic(join(dir, RUN_FILES.model), model);
}

/** A run directory's config.json, checked enough to find the modules before loading the run. */
export function readRunConfig(dir: string): SavedRunConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`'${dir}' is not a directory (give a run directory made by gfn train)`);
  }
  const path = join(dir, RUN_FILES.config);
  if (!existsSync(path)) {
    throw new UserError(
      `'${dir}' is not a run directory (it has no ${RUN_FILES.config}; make one with 'gfn train --out DIR')`,
    );
  }
  const config = readJson(path);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UserError(`${path} must hold a JSON object`);
  }
  const c = config as Partial<SavedRunConfig>;
  if (typeof c.env !== 'string' || c.env === '') {
    throw new UserError(`${path}: 'env' must name the run's env`);
  }
  if (!Array.isArray(c.modules) || !c.modules.every((m) => typeof m === 'string')) {
    throw new UserError(`${path}: 'modules' must be a list of module names or paths`);
  }
  if (typeof c.envParams !== 'object' || c.envParams === null || Array.isArray(c.envParams)) {
    throw new UserError(`${path}: 'envParams' must be an object of env parameters`);
  }
  return c as SavedRunConfig;
}

/**
 * The run's weights: model.json, or those of checkpoint.json when the run stopped before writing
 * one. Refuses a file that is not a model, or weights that are not finite (a diverged run).
 */
export function readRunModel(dir: string): SerializedModel {
  const modelPath = join(dir, RUN_FILES.model);
  const checkpointPath = join(dir, RUN_FILES.checkpoint);
  let model: unknown;
  let path = modelPath;
  if (existsSync(modelPath)) model = readJson(modelPath);
  else if (existsSync(checkpointPath)) {
    path = checkpointPath;
    model = (readJson(checkpointPath) as { model?: unknown }).model;
  } else {
    throw new UserError(
      `'${dir}' has no ${RUN_FILES.model} or ${RUN_FILES.checkpoint}: the run saved no weights yet`,
    );
  }
  const m = model as Partial<SerializedModel> | undefined;
  if (
    !m ||
    m.format !== 'gflownet-ts/model@1' ||
    typeof m.logZ !== 'number' ||
    !m.estimator ||
    !Array.isArray(m.estimator.weights)
  ) {
    throw new UserError(`${path} holds no gflownet-ts model (format 'gflownet-ts/model@1')`);
  }
  const estimators = [m.estimator, ...(m.backwardEstimator ? [m.backwardEstimator] : [])];
  const finite =
    Number.isFinite(m.logZ) &&
    estimators.every((e) => e.weights.every((w) => deserializeTensor(w).every(Number.isFinite)));
  if (!finite) {
    throw new UserError(
      `${path} holds weights that are not finite (the run diverged); train again, e.g. with a lower --lr`,
    );
  }
  return m as SerializedModel;
}

export function readRunDir(dir: string): { config: SavedRunConfig; model: SerializedModel } {
  return { config: readRunConfig(dir), model: readRunModel(dir) };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
