import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { SerializedModel } from '../policies/model.js';
import type { SerializedOptimizer } from './adam.js';
import { RUN_FILES, writeFileAtomic } from './run-dir.js';

/**
 * Everything a run needs to continue exactly where it stopped: weights and log Z, both
 * optimizers, every random stream, the replay buffer, the counters, the mode and sample
 * trackers, and what the caller adds (the metrics log's length, for one).
 */
export interface Checkpoint {
  format: 'gflownet-ts/checkpoint@1';
  iteration: number;
  trajectories: number;
  seconds: number;
  skipped: number;
  model: SerializedModel;
  optimizers: { net: SerializedOptimizer; logZ: SerializedOptimizer };
  streams: Record<string, number[]>;
  replay: unknown;
  modes: string[];
  tracker: unknown;
  extra: Record<string, unknown>;
}

export function writeCheckpoint(dir: string, checkpoint: Checkpoint): void {
  writeFileAtomic(join(dir, RUN_FILES.checkpoint), JSON.stringify(checkpoint));
}

export function readCheckpoint(dir: string): Checkpoint {
  const path = join(dir, RUN_FILES.checkpoint);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read the checkpoint ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const cp = parsed as Partial<Checkpoint>;
  if (cp.format !== 'gflownet-ts/checkpoint@1' || typeof cp.iteration !== 'number' || !cp.model) {
    throw new UserError(`${path} is not a gflownet-ts checkpoint`);
  }
  return cp as Checkpoint;
}
