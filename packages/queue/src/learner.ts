import { hostname } from 'node:os';
import { UserError } from '@gflownet/core';
import type { ActorsFactory, ActorSetup } from '@gflownet/core/actors';
import { Queue } from 'bullmq';
import { QueueActors } from './actors.js';
import { type Log, connect, describeRedisUrl } from './connection.js';
import { type Manifest, PREFIX, codeVersion, names, specHashes } from './manifest.js';
import { QueueOracle } from './oracle.js';

/** How long a learner's claim on a queue lasts unless renewed (it renews it every third). */
const CLAIM_MS = 15_000;

/** What a learner's run tells its workers (the rest of the manifest is filled in here). */
export interface LearnerRun {
  env: string;
  modules: readonly string[];
  /** The --oracle spec workers score with, if the learner sends oracle work. */
  oracle: string | null;
}

/**
 * A learner's side of the queues: it claims the queue name (one learner per name), makes the
 * remote actors and the queue oracle, and publishes the manifest workers check themselves
 * against. Redis outages are waited out; after one, the manifest and the weights still needed
 * are published again, and jobs Redis lost are added again when awaited.
 */
export class LearnerQueue {
  /** The remote actors, once createRun has made them. */
  actors: QueueActors | null = null;
  private manifest: Manifest | null = null;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private renew: NodeJS.Timeout | null = null;

  private constructor(
    private readonly conn: Awaited<ReturnType<typeof connect>>,
    private readonly n: ReturnType<typeof names>,
    private readonly actorQueue: Queue,
    private readonly oracleQueue: Queue,
    private readonly log: Log,
    readonly key: string,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    conn.onReconnect(async () => {
      await this.claim();
      if (this.manifest) await this.conn.redis.set(this.n.manifest, JSON.stringify(this.manifest));
      await this.actors?.republish();
    });
  }

  /** Connects, and claims `queue` for this learner (refused when another learner holds it). */
  static async open(url: string, queue: string, log: Log): Promise<LearnerQueue> {
    const n = names(queue);
    const conn = await connect(url, log, 'learner');
    const key = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const options = { connection: conn.redis, prefix: PREFIX };
    const lq = new LearnerQueue(
      conn,
      n,
      new Queue(n.actorQueue, options),
      new Queue(n.oracleQueue, options),
      log,
      key,
    );
    const holder = await conn.redis.get(n.learner);
    if (holder && !holderIsGone(holder)) {
      await conn.close();
      throw new UserError(
        `queue '${queue}' at ${describeRedisUrl(url)} is in use by another learner ` +
          `(${holder.split('#')[0]}); give this run another --queue NAME`,
      );
    }
    await lq.claim();
    lq.renew = setInterval(() => void lq.claim().catch(() => undefined), CLAIM_MS / 3);
    // Jobs of earlier learners on this queue are not this run's.
    await lq.actorQueue.obliterate({ force: true });
    await lq.oracleQueue.obliterate({ force: true });
    await lq.deleteWeights('*');
    return lq;
  }

  /** Deletes the published weights of run key `key` ('*': of every run on this queue). */
  private async deleteWeights(key: string): Promise<void> {
    const keys = await this.conn.redis.keys(this.n.weights(key, '*'));
    if (keys.length > 0) await this.conn.redis.del(...keys);
  }

  private async claim(): Promise<void> {
    await this.conn.redis.set(
      this.n.learner,
      `${hostname()} pid ${process.pid}#${this.key}`,
      'PX',
      CLAIM_MS,
    );
  }

  /** The factory of remote actors for createRun's `actors` option. */
  actorsFactory(): ActorsFactory {
    return (env, setup: ActorSetup, workers) => {
      const keyed = { ...setup, key: this.key };
      this.actors = new QueueActors(
        env,
        keyed,
        workers,
        this.actorQueue,
        this.conn.redis,
        this.n.weights,
        this.ready,
        this.log,
      );
      return this.actors;
    };
  }

  /** An oracle whose calls are jobs for workers that score with `spec`. */
  oracle(spec: string, timeoutMs: number): QueueOracle {
    return new QueueOracle(this.oracleQueue, this.key, spec, timeoutMs);
  }

  /** Publishes the manifest; jobs are sent from then on. */
  async start(run: LearnerRun): Promise<void> {
    const setup = this.actors?.setup;
    this.manifest = {
      format: 'gflownet-ts/queue@1',
      key: this.key,
      code: codeVersion(),
      env: run.env,
      specs: specHashes(run.modules),
      oracle: run.oracle,
      actors: setup ? { key: setup.key, config: setup.config, modules: setup.modules } : null,
      learner: `${hostname()} pid ${process.pid}`,
    };
    await this.conn.redis.set(this.n.manifest, JSON.stringify(this.manifest));
    this.markReady();
  }

  /** Withdraws the manifest and the claim, and disconnects. */
  async close(): Promise<void> {
    if (this.renew) clearInterval(this.renew);
    await this.actors?.close();
    try {
      await this.conn.redis.del(this.n.manifest, this.n.learner);
      await this.deleteWeights(this.key);
      await this.actorQueue.obliterate({ force: true });
      await this.oracleQueue.obliterate({ force: true });
      await this.actorQueue.close();
      await this.oracleQueue.close();
    } finally {
      await this.conn.close();
    }
  }
}

/** A claim left by a learner on this machine whose process has ended (e.g. killed). */
function holderIsGone(holder: string): boolean {
  const m = /^(.*) pid (\d+)#/.exec(holder);
  if (!m || m[1] !== hostname()) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch {
    return true;
  }
}
