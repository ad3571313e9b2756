import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import {
  type SerializedTensor,
  deserializeTensor,
  serializeTensor,
} from '../policies/estimator.js';
import type { SerializedModel } from '../policies/model.js';
import { RUN_FILES, writeFileAtomic } from './run-dir.js';

/** An optimizer's state: its slot variables, iteration count and Adam's bias corrections. */
export interface SerializedOptimizer {
  iterations: number;
  slots: SerializedTensor[];
  /** beta1^t and beta2^t as the optimizer holds them (tfjs recomputes them with pow on load). */
  biasCorrection: number[] | null;
}

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

/** Adam's private accumulators of beta^t; set back exactly so a resumed run matches bit for bit. */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

export async function saveOptimizer(optimizer: tf.Optimizer): Promise<SerializedOptimizer> {
  const [iterations, ...slots] = await optimizer.getWeights();
  const count = iterations ? (await iterations.tensor.data())[0]! : 0;
  iterations?.tensor.dispose();
  const adam = optimizer as unknown as AdamInternals;
  return {
    iterations: count,
    slots: slots.map((s) => serializeTensor(s.tensor)),
    biasCorrection:
      adam.accBeta1 && adam.accBeta2
        ? [adam.accBeta1.dataSync()[0]!, adam.accBeta2.dataSync()[0]!]
        : null,
  };
}

export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  saved: SerializedOptimizer,
): Promise<void> {
  const tensors = [
    { name: 'iter', tensor: tf.scalar(saved.iterations, 'int32') },
    ...saved.slots.map((s, i) => ({
      name: `slot_${i}`,
      tensor: tf.tensor(deserializeTensor(s), s.shape),
    })),
  ];
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
  const adam = optimizer as unknown as AdamInternals;
  if (saved.biasCorrection && adam.accBeta1 && adam.accBeta2) {
    const [b1, b2] = saved.biasCorrection;
    tf.tidy(() => {
      adam.accBeta1!.assign(tf.scalar(b1!));
      adam.accBeta2!.assign(tf.scalar(b2!));
    });
  }
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
