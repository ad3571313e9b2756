/**
 * '@gflownet/queue': a run spread over machines through Redis and BullMQ. The learner
 * (`LearnerQueue`) sends sampling batches to remote actors and oracle calls to remote scorers;
 * `gfn worker` processes (`QueueWorker`) take them.
 */
export {
  type Connection,
  type Log,
  connect,
  checkRedisUrl,
  describeRedisUrl,
} from './connection.js';
export { type Manifest, type WorkerIdentity, codeVersion, mismatch, names } from './manifest.js';
export { type LearnerRun, LearnerQueue } from './learner.js';
export { type ActorJob, QueueActors } from './actors.js';
export { type OracleJob, QueueOracle } from './oracle.js';
export { type QueueWorkerOptions, QueueWorker, Refused } from './worker.js';
