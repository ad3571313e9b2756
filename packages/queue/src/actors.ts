import type { DiscreteEnv } from '@gflownet/core';
import {
  type ActorBatch,
  type Actors,
  type ActorSetup,
  type SampleResult,
  type WeightSnapshot,
  iterationSeed,
  rebuildError,
} from '@gflownet/core/actors';
import { Trajectories } from '@gflownet/core/samplers';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeFloat64, decodeInt32, packWeights } from './codec.js';
import { JobFailed, jobResult, removeJob } from './jobs.js';

/** An actor job: sample `count` trajectories for `iteration` with weights `version`. */
export interface ActorJob {
  key: string;
  iteration: number;
  count: number;
  version: number;
  seed: number;
  /** Sizes of the network's variables, in order, to split the weights. */
  sizes: number[];
}

/** A batch as it crosses the queue: arrays as base64, or the error the actor met. */
export type EncodedResult =
  | {
      ok: true;
      states: string;
      actions: string;
      starts: string;
      logRewards: string;
      seconds: number;
      worker: string;
    }
  | Extract<SampleResult, { ok: false }>;

/** Failed jobs of one batch asked again before the learner gives up. */
const MAX_FAILURES = 5;

/**
 * Actors on other machines: each batch is a BullMQ job that any `gfn worker` takes. The weights
 * of each version go to Redis once (workers fetch them by version) and are deleted when no
 * batch under way needs them. A job's id is the run key, the iteration and the weights version,
 * so a job retried after a worker died (BullMQ's stalled-job recovery) or re-added after a
 * Redis restart yields the one batch the learner takes; the learner removes it once received.
 */
export class QueueActors implements Actors {
  busySeconds = 0;
  /** Batches the learner took, and the distinct iterations they were for (equal, or a bug). */
  readonly taken = { batches: 0, iterations: new Set<number>() };
  /** The weights of each version in Redis, with the batches under way that use them. */
  private readonly published = new Map<number, { snapshot: WeightSnapshot; refs: number }>();
  private latest = -1;
  private readonly state = { closed: false };

  constructor(
    private readonly env: DiscreteEnv,
    readonly setup: ActorSetup,
    readonly threads: number,
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly weightsKey: (key: string, version: number | '*') => string,
    /** Resolves once the manifest is published (jobs wait for it). */
    private readonly ready: Promise<void>,
    private readonly log: (message: string) => void,
  ) {}

  private write(snapshot: WeightSnapshot): Promise<unknown> {
    return this.redis.set(
      this.weightsKey(this.setup.key, snapshot.version),
      packWeights(snapshot.weights),
    );
  }

  private async publish(snapshot: WeightSnapshot): Promise<void> {
    this.latest = Math.max(this.latest, snapshot.version);
    const entry = this.published.get(snapshot.version);
    if (entry) {
      entry.refs += 1;
      return;
    }
    this.published.set(snapshot.version, { snapshot, refs: 1 });
    await this.write(snapshot);
  }

  /** Publishes the weights still needed again (after Redis came back empty, for one). */
  async republish(): Promise<void> {
    for (const { snapshot } of this.published.values()) await this.write(snapshot);
  }

  private async release(version: number): Promise<void> {
    const entry = this.published.get(version);
    if (entry) entry.refs -= 1;
    // The newest weights stay: the next batches are likely to use them.
    for (const [v, { refs }] of this.published) {
      if (refs <= 0 && v < this.latest) {
        this.published.delete(v);
        await this.redis.del(this.weightsKey(this.setup.key, v));
      }
    }
  }

  async sample(
    snapshot: WeightSnapshot,
    count: number,
    iteration: number,
    _prepare: boolean,
  ): Promise<ActorBatch> {
    await this.ready;
    await this.publish(snapshot);
    const id = `a-${this.setup.key}-${iteration}-${snapshot.version}`;
    const job: ActorJob = {
      key: this.setup.key,
      iteration,
      count,
      version: snapshot.version,
      seed: iterationSeed(this.setup.config.seed, iteration),
      sizes: snapshot.weights.map((w) => w.length),
    };
    try {
      for (let failures = 0; ; failures++) {
        try {
          const r = await jobResult<EncodedResult>(
            this.queue,
            'sample',
            id,
            job,
            () => this.state.closed,
          );
          if (!r.ok) throw rebuildError(r, 'remote actor');
          await removeJob(this.queue, id);
          this.busySeconds += r.seconds;
          this.taken.batches += 1;
          this.taken.iterations.add(iteration);
          const batch = new Trajectories(
            this.env,
            decodeInt32(r.states),
            decodeInt32(r.actions),
            decodeInt32(r.starts),
            decodeFloat64(r.logRewards),
          );
          return { batch, prepared: null };
        } catch (err) {
          if (!(err instanceof JobFailed)) throw err;
          await removeJob(this.queue, id);
          if (failures + 1 >= MAX_FAILURES) {
            throw new Error(
              `the batch of iteration ${iteration} failed on remote workers ${MAX_FAILURES} ` +
                `times; the last: ${err.reason}`,
            );
          }
          this.log(
            `a worker failed the batch of iteration ${iteration} (${err.reason}); asking again`,
          );
        }
      }
    } finally {
      await this.release(snapshot.version);
    }
  }

  async close(): Promise<void> {
    this.state.closed = true;
  }
}
