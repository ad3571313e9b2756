import { hostname } from 'node:os';
import { type SampleTask, runSampleTask } from '@gflownet/core/actors';
import type { Oracle } from '@gflownet/core/oracles';
import { type Job, Worker } from 'bullmq';
import type { ActorJob, EncodedResult } from './actors.js';
import { encode, unpackWeights } from './codec.js';
import { type Connection, type Log, connect, describeRedisUrl } from './connection.js';
import {
  type Manifest,
  PREFIX,
  type WorkerIdentity,
  codeVersion,
  mismatch,
  names,
  readManifest,
} from './manifest.js';
import type { OracleJob } from './oracle.js';

export interface QueueWorkerOptions {
  url: string;
  queue: string;
  /** Takes actor work (sampling batches) when the learner sends any. */
  actors: boolean;
  /** Takes oracle work with this oracle (its --oracle spec and the oracle). */
  oracle?: { spec: string; oracle: Oracle };
  /** The env this worker was started for (a name or a .gfn path), checked against the learner's. */
  env?: string;
  /** URL of the module loader that builds actor runs here (see ModuleLoader). */
  loader: string;
  /** Oracle jobs under way at once. */
  concurrency: number;
  /**
   * Seconds a job's lock lasts without renewal (default 10): a job whose worker died goes to
   * another worker after this and up to half as long again. The worker renews its locks every
   * half of it, so a job must never block its event loop that long.
   */
  lockSeconds?: number;
  log: Log;
}

/** A job this worker will not do: another learner's code, env, spec or oracle. */
class Refused extends Error {}

/**
 * A `gfn worker` process: takes actor jobs (sample a batch with the learner's weights of the
 * job's version) and oracle jobs (score objects with its own oracle) from a learner's queues.
 * It checks the learner's manifest first and refuses (exit code 2) a learner whose code
 * version, env, spec or oracle differ from its own. A job it dies on is taken again by another
 * worker once its lock expires (BullMQ's stalled-job recovery).
 */
export class QueueWorker {
  readonly done: Promise<number>;
  private finish!: (code: number) => void;
  private readonly workers: Worker[] = [];
  private manifest: Manifest | null = null;
  private weights: { key: string; version: number; arrays: Float32Array[] } | null = null;
  private stopping = false;
  readonly counts = { batches: 0, trajectories: 0, oracleCalls: 0, objects: 0 };
  private readonly me: WorkerIdentity;
  private readonly n: ReturnType<typeof names>;

  private constructor(
    private readonly conn: Connection,
    private readonly o: QueueWorkerOptions,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.n = names(o.queue);
    this.me = {
      code: codeVersion(),
      actors: o.actors,
      ...(o.env !== undefined ? { env: o.env } : {}),
      ...(o.oracle ? { oracle: o.oracle.spec } : {}),
    };
  }

  static async start(o: QueueWorkerOptions): Promise<QueueWorker> {
    const conn = await connect(o.url, o.log, 'worker');
    const w = new QueueWorker(conn, o);
    await w.run();
    return w;
  }

  private async run(): Promise<void> {
    const where = `queue '${this.o.queue}' at ${describeRedisUrl(this.o.url)}`;
    // Waits for a learner, then checks that this worker can work for it.
    let told = false;
    for (;;) {
      if (this.stopping) return;
      const m = await readManifest(this.conn.redis, this.n.manifest);
      if (m) {
        this.check(m);
        if (this.stopping) return;
        break;
      }
      if (!told) this.o.log(`worker: waiting for a learner on ${where}`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
    const common = {
      connection: this.conn.redis,
      prefix: PREFIX,
      lockDuration: (this.o.lockSeconds ?? 10) * 1000,
      // How often workers look for jobs whose worker died (their lock expired).
      stalledInterval: ((this.o.lockSeconds ?? 10) * 1000) / 2,
      maxStalledCount: 1000,
    };
    const kinds: string[] = [];
    if (this.o.actors) {
      this.workers.push(
        new Worker(this.n.actorQueue, (job: Job<ActorJob>) => this.sample(job), {
          ...common,
          concurrency: 1,
        }),
      );
      kinds.push('actor batches');
    }
    if (this.o.oracle) {
      this.workers.push(
        new Worker(this.n.oracleQueue, (job: Job<OracleJob>) => this.score(job), {
          ...common,
          concurrency: this.o.concurrency,
        }),
      );
      kinds.push(`oracle calls (${this.o.oracle.spec})`);
    }
    for (const w of this.workers) {
      w.on('error', (err) => {
        // Connection errors are told once by the connection; a job whose data Redis lost in a
        // restart cannot be finished, and its learner asks for it again.
        if (/ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed/.test(err.message)) return;
        if (/^Missing (lock|key) for job/.test(err.message)) {
          this.o.log(
            `worker: a job was lost with Redis's data (${err.message}); the learner asks again`,
          );
        } else this.o.log(`worker: ${err.message}`);
      });
    }
    this.o.log(
      `worker ${hostname()} pid ${process.pid}: taking ${kinds.join(' and ')} from ${where} ` +
        `(learner ${this.manifest?.learner})`,
    );
  }

  /** Takes the manifest, or refuses the learner (and stops) when this worker does not fit it. */
  private check(m: Manifest): void {
    const why = mismatch(m, this.me);
    if (why) {
      this.o.log(`worker: refusing the learner: ${why}`);
      void this.close(2);
      throw new Refused(`worker ${hostname()} pid ${process.pid} refuses: ${why}`);
    }
    this.manifest = m;
  }

  /** The manifest of the learner that sent a job (read again when a new learner started). */
  private async manifestFor(key: string): Promise<Manifest> {
    if (this.manifest?.key === key) return this.manifest;
    const m = await readManifest(this.conn.redis, this.n.manifest);
    if (!m || m.key !== key) throw new Error('the learner that sent this job has gone');
    this.check(m);
    return m;
  }

  private async sample(job: Job<ActorJob>): Promise<EncodedResult> {
    const d = job.data;
    const m = await this.manifestFor(d.key);
    if (!m.actors) throw new Error('the learner sends no actor work');
    if (this.weights?.key !== d.key || this.weights.version !== d.version) {
      const buffer = await this.conn.redis.getBuffer(this.n.weights(d.key, d.version));
      if (!buffer) throw new Error(`the weights of version ${d.version} are not in Redis`);
      this.weights = { key: d.key, version: d.version, arrays: unpackWeights(buffer, d.sizes) };
    }
    const task: SampleTask = {
      setup: { ...m.actors, loader: this.o.loader },
      version: d.version,
      weights: this.weights.arrays,
      count: d.count,
      iteration: d.iteration,
      prepare: false,
      seed: d.seed,
    };
    const r = await runSampleTask(task);
    if (!r.ok) return r;
    this.counts.batches += 1;
    this.counts.trajectories += r.starts.length - 1;
    return {
      ok: true,
      states: encode(r.states),
      actions: encode(r.actions),
      starts: encode(r.starts),
      logRewards: encode(r.logRewards),
      seconds: r.seconds,
      worker: `${hostname()} pid ${process.pid}`,
    };
  }

  private async score(job: Job<OracleJob>): Promise<{ scores: (number | null)[] }> {
    await this.manifestFor(job.data.key);
    const oracle = this.o.oracle!.oracle;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${job.data.timeoutMs} ms`));
      }, job.data.timeoutMs);
    });
    try {
      const work = oracle.score(job.data.objects, controller.signal);
      work.catch(() => undefined);
      const scores = await Promise.race([work, timeout]);
      this.counts.oracleCalls += 1;
      this.counts.objects += job.data.objects.length;
      return {
        scores: scores.map((s) => (typeof s === 'number' && Number.isFinite(s) ? s : null)),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets the jobs under way finish, then disconnects; `done` resolves with `code`. */
  async close(code = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    try {
      await Promise.all(this.workers.map((w) => w.close()));
      await this.o.oracle?.oracle.close?.();
    } finally {
      await this.conn.close();
      this.finish(code);
    }
  }
}

export { Refused };
