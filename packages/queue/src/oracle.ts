import { createHash } from 'node:crypto';
import type { Oracle } from '@gflownet/core/oracles';
import type { Queue } from 'bullmq';
import { JobFailed, jobResult, removeJob } from './jobs.js';

/** An oracle job: the objects, and how long the worker may take. */
export interface OracleJob {
  key: string;
  objects: string[];
  timeoutMs: number;
}

/**
 * An oracle whose calls are jobs for `gfn worker` processes (each scores with its own
 * `--oracle`). A call's job id is the hash of its objects, so that a call asked again (a retry
 * after a timeout, a learner restarted before storing the scores) waits for the same job
 * instead of scoring twice; the job is removed once the client has cached the scores.
 */
export class QueueOracle implements Oracle {
  readonly name: string;
  private readonly state = { closed: false };

  constructor(
    private readonly queue: Queue,
    /** The learner's run key. */
    private readonly key: string,
    spec: string,
    private readonly timeoutMs: number,
  ) {
    this.name = `${spec} (on queue ${queue.name})`;
  }

  private id(objects: readonly string[]): string {
    return `o-${createHash('sha1').update(JSON.stringify(objects)).digest('hex')}`;
  }

  /** When the client gives the call up, this stops waiting; the job stays for the retry. */
  async score(objects: readonly string[], signal?: AbortSignal): Promise<(number | null)[]> {
    const id = this.id(objects);
    const job: OracleJob = { key: this.key, objects: [...objects], timeoutMs: this.timeoutMs };
    try {
      const r = await jobResult<{ scores: (number | null)[] }>(
        this.queue,
        'score',
        id,
        job,
        () => this.state.closed || signal?.aborted === true,
      );
      return r.scores.map((s) => (typeof s === 'number' ? s : null));
    } catch (err) {
      // A failed job is removed, so that the client's retry adds it again.
      if (err instanceof JobFailed) await removeJob(this.queue, id);
      throw err;
    }
  }

  /** The client has cached these objects' scores: their job can go. */
  async stored(objects: readonly string[]): Promise<void> {
    await removeJob(this.queue, this.id(objects));
  }

  async close(): Promise<void> {
    this.state.closed = true;
  }
}
