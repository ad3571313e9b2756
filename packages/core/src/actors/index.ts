/**
 * '@gflownet/core/actors': what samples batches away from the learner's thread: the Actors
 * contract, local actor threads, and the task an actor runs (for actors elsewhere, e.g. behind a
 * queue).
 */
export {
  type Actors,
  type ActorsFactory,
  type ActorBatch,
  type WeightSnapshot,
  ActorPool,
  iterationSeed,
  rebuildError,
} from './pool.js';
export type { ActorSetup, ModuleLoader, SampleTask, SampleResult } from './protocol.js';
export { default as runSampleTask } from './actor-worker.js';
