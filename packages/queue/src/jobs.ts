import type { Job, Queue } from 'bullmq';

/** A job that failed in a worker (its message is the worker's). */
export class JobFailed extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'JobFailed';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The result of job `id`, adding it when it is not in the queue (never added, or lost: e.g. a
 * Redis restarted without persistence) and taking a completed one as it is, so that a job is
 * done once for all the askers of one id. Polls the job until it completes; rejects with
 * JobFailed when it failed (the caller decides whether to ask again). The job stays in Redis:
 * the caller removes it (`removeJob`) once it has stored the result.
 */
export async function jobResult<T>(
  queue: Queue,
  name: string,
  id: string,
  data: unknown,
  cancelled: () => boolean = () => false,
): Promise<T> {
  let delay = 2;
  for (;;) {
    const job = (await queue.getJob(id)) as Job | undefined;
    if (!job) {
      await queue.add(name, data, {
        jobId: id,
        attempts: 1,
        removeOnComplete: false,
        removeOnFail: false,
      });
    } else if (job.finishedOn !== undefined && job.finishedOn !== null) {
      if (job.failedReason) throw new JobFailed(id, job.failedReason);
      return job.returnvalue as T;
    }
    if (cancelled()) throw new Error(`job ${id} was given up (closed, or timed out)`);
    await sleep(delay);
    delay = Math.min(delay * 1.5, 50);
  }
}

/**
 * Removes a job: a finished one once the caller has stored its result, a failed one so that
 * the same id can be added again. A missing one is fine.
 */
export async function removeJob(queue: Queue, id: string): Promise<void> {
  const job = await queue.getJob(id);
  if (job) await job.remove();
}
