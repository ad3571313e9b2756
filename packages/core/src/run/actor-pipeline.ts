import type { ActorBatch, Actors, WeightSnapshot } from '../actors/pool.js';
import type { PolicyModel } from '../policies/model.js';

/** What the learner asks of the pipeline for one iteration. */
export interface PipelineRequest {
  /** Fresh trajectories of the first batch asked for (when none is under way). */
  first: number;
  /** Fresh trajectories of every later batch (room left for replayed ones). */
  later: number;
  /** The learner's iteration (the version of its weights). */
  iteration: number;
  model: PolicyModel;
  /** Whether actors prepare the loss arrays (not when replay or rescoring changes the batch). */
  prepare: boolean;
}

/**
 * Batches sampled ahead by actor threads. With N threads, N batches are under way: each
 * iteration takes the oldest and asks for the next at once, so actors sample (and score, and
 * prepare) while the learner trains. A batch is sampled with the weights sent when it was asked
 * for, and weights are sent every `syncEvery` iterations: a policy lag of N updates (up to
 * N + syncEvery - 1), which the objectives, all correct off-policy, allow.
 */
export class ActorPipeline {
  private pending: { batch: Promise<ActorBatch>; version: number }[] = [];
  /** The weights last sent to the actors. */
  private sent: WeightSnapshot | null = null;
  /** Updates between the weights that sampled the last batch taken and the learner's. */
  lag = 0;

  constructor(
    readonly actors: Actors,
    private readonly syncEvery: number,
  ) {}

  /** The oldest batch under way; the pipeline is filled first, and refilled at once. */
  async next(r: PipelineRequest): Promise<ActorBatch> {
    const ahead = this.actors.threads;
    for (let i = this.pending.length; i < ahead; i++) {
      this.pending.push(this.request(i === 0 ? r.first : r.later, r.iteration + i, r));
    }
    const oldest = this.pending.shift()!;
    const result = await oldest.batch;
    this.lag = r.iteration - oldest.version;
    this.pending.push(this.request(r.later, r.iteration + ahead, r));
    return result;
  }

  /** Forgets the batches under way and the weights sent (they belong to other weights). */
  reset(): void {
    this.pending = [];
    this.sent = null;
  }

  /** Stops the actor threads. */
  close(): Promise<void> {
    this.pending = [];
    return this.actors.close();
  }

  private request(
    count: number,
    iteration: number,
    r: PipelineRequest,
  ): { batch: Promise<ActorBatch>; version: number } {
    const version = r.iteration;
    if (!this.sent || version - this.sent.version >= this.syncEvery) {
      this.sent = {
        version,
        weights: r.model.netVariables.map((v) => (v.dataSync() as Float32Array).slice()),
      };
    }
    const batch = this.actors.sample(this.sent, count, iteration, r.prepare);
    // Rejections surface where the batch is awaited; this only keeps an unawaited one quiet.
    batch.catch(() => undefined);
    return { batch, version: this.sent.version };
  }
}
