import { Piscina } from 'piscina';
import type { DiscreteEnv } from '../env/env.js';
import { NonFiniteError, UserError } from '../errors.js';
import { Trajectories } from '../samplers/trajectories.js';
import type { ActorSetup, SampleResult, SampleTask } from './protocol.js';

/** Weights the learner sent, tagged with the number of updates they include. */
export interface WeightSnapshot {
  version: number;
  weights: Float32Array[];
}

/** A batch an actor sampled, with the objective's prepared arrays when they were asked for. */
export interface ActorBatch {
  batch: Trajectories;
  prepared: unknown;
  /** The env's sample tracker's summary of the batch (see SampleTracker.summarize). */
  summary?: unknown;
}

/**
 * What samples fresh batches for the learner away from its thread: local actor threads
 * (ActorPool) or workers on other machines (a queue). It keeps up to `threads` batches under way.
 */
export interface Actors {
  /** Batches the learner keeps under way. */
  readonly threads: number;
  /** Time the actors have spent on batches, summed, in seconds. */
  readonly busySeconds: number;
  /**
   * `count` fresh trajectories from the policy with `snapshot`'s weights, scored, and prepared
   * for the objective when `prepare` is set and the actors can; sampled with the seed
   * `iterationSeed(config.seed, iteration)`, so the batch does not depend on where it ran.
   */
  sample(
    snapshot: WeightSnapshot,
    count: number,
    iteration: number,
    prepare: boolean,
  ): Promise<ActorBatch>;
  /** Stops the actors (once; later calls wait for it). */
  close(): Promise<void>;
}

/** Builds the actors of a run (createRun's `actors` option); `setup` is what each needs. */
export type ActorsFactory = (env: DiscreteEnv, setup: ActorSetup, workers: number) => Actors;

/**
 * Actor threads (worker_threads through piscina), each with its own copy of the run's env,
 * sampler, objective and policy. Each `sample` is one whole batch on one thread, with a seed
 * derived from the run's seed and the iteration, so that it depends on the weights sent and not
 * on which thread ran it; with N threads, N batches can be under way at once.
 */
export class ActorPool implements Actors {
  private readonly pool: Piscina<SampleTask, SampleResult>;
  private closing: Promise<void> | null = null;
  /** Time the actors have spent on tasks, summed over threads, in seconds. */
  busySeconds = 0;
  /** Whether actors prepare batches; off once an objective's prepared arrays fail to clone. */
  private prepareInActors = true;

  constructor(
    private readonly env: DiscreteEnv,
    private readonly setup: ActorSetup,
    readonly threads: number,
  ) {
    this.pool = new Piscina({
      filename: new URL('./actor-worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A thread that dies rejects its task, which is where the learner sees it.
    this.pool.on('error', () => undefined);
  }

  /**
   * `count` fresh trajectories from the policy with `snapshot`'s weights, scored, and prepared
   * for the objective when `prepare` is set (and the objective's arrays can cross threads).
   */
  async sample(
    snapshot: WeightSnapshot,
    count: number,
    iteration: number,
    prepare: boolean,
  ): Promise<ActorBatch> {
    const task = (withPrepare: boolean): SampleTask => ({
      setup: this.setup,
      version: snapshot.version,
      weights: snapshot.weights,
      count,
      iteration,
      prepare: withPrepare,
      seed: iterationSeed(this.setup.config.seed, iteration),
    });
    let result: SampleResult;
    const withPrepare = prepare && this.prepareInActors;
    try {
      result = await this.pool.run(task(withPrepare));
    } catch (err) {
      if (!withPrepare || !(err instanceof Error && err.name === 'DataCloneError')) throw err;
      // The objective's prepared arrays hold something that cannot be sent between threads.
      this.prepareInActors = false;
      result = await this.pool.run(task(false));
    }
    if (!result.ok) throw rebuildError(result);
    this.busySeconds += result.seconds;
    const batch = new Trajectories(
      this.env,
      result.states,
      result.actions,
      result.starts,
      result.logRewards,
    );
    return { batch, prepared: result.prepared ?? null, summary: result.summary };
  }

  /** Lets running tasks finish, then stops the threads (once; later calls wait for it). */
  close(): Promise<void> {
    this.closing ??= this.pool.close();
    return this.closing;
  }
}

/** A 31-bit seed from the run's seed and the iteration (an integer hash). */
export function iterationSeed(seed: number, iteration: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ iteration;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** The learner rethrows an actor's error as the class it had in the actor. */
export function rebuildError(
  r: Extract<SampleResult, { ok: false }>,
  where = 'actor thread',
): Error {
  const message = `${where}: ${r.message}`;
  if (r.name === 'NonFiniteError' && r.term) {
    return new NonFiniteError(r.term as NonFiniteError['term'], message);
  }
  if (r.name === 'UserError' || r.name === 'NonFiniteError') return new UserError(message);
  return new Error(message);
}
