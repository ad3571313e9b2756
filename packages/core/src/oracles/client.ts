import type { ScoreLog } from './cache.js';
import type { Oracle } from './oracle.js';

export interface OracleClientOptions {
  /** Objects per oracle call. */
  batchSize?: number;
  /** Oracle calls under way at once. */
  concurrency?: number;
  /** A call that takes longer fails (and is retried). */
  timeoutMs?: number;
  /** Further attempts of a failed call, waiting backoffMs, then twice that, and so on. */
  retries?: number;
  backoffMs?: number;
  /** Scores already known (and where new ones are kept). */
  cache?: ScoreLog | null;
}

/** What an oracle client did so far (for the metrics log). */
export interface OracleStats {
  /** Oracle calls made, retries included. */
  oracle_calls: number;
  oracle_cache_hits: number;
  /** Objects left without a score after every retry. */
  oracle_failures: number;
  oracle_retries: number;
  /** Mean and longest time of a successful call, in seconds. */
  oracle_latency_mean: number;
  oracle_latency_max: number;
}

const DEFAULTS = {
  batchSize: 64,
  concurrency: 4,
  timeoutMs: 600_000,
  retries: 3,
  backoffMs: 1000,
};

/**
 * Scores objects with an oracle: known scores from the cache, the rest in batches of batchSize
 * with at most `concurrency` calls at once, each call bounded by a timeout and retried with
 * exponential backoff. An object whose call failed every time, or that the oracle answered with
 * null or a non-finite number, comes back as null: left out by the caller, never given a score.
 */
export class OracleClient {
  private readonly o: Required<Omit<OracleClientOptions, 'cache'>>;
  private readonly cache: ScoreLog | null;
  private calls = 0;
  private hits = 0;
  private failures = 0;
  private retried = 0;
  private latencySum = 0;
  private latencyMax = 0;
  private successes = 0;

  constructor(
    readonly oracle: Oracle,
    options: OracleClientOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...stripUndefined(options) };
    this.cache = options.cache ?? null;
  }

  /** Scores of `objects`, whose cache keys are `keys` (the objects themselves by default). */
  async score(
    objects: readonly string[],
    keys: readonly string[] = objects,
  ): Promise<(number | null)[]> {
    return (await this.scoreDetailed(objects, keys)).map((r) => r.score);
  }

  /**
   * Each object's score, or null with the reason: the call failed every time (its last error),
   * or the oracle gave no finite number for it. An object that appears several times is sent once.
   */
  async scoreDetailed(
    objects: readonly string[],
    keys: readonly string[] = objects,
  ): Promise<{ score: number | null; error?: string }[]> {
    const out: { score: number | null; error?: string }[] = objects.map(() => ({ score: null }));
    // Distinct keys not in the cache, each with every position it holds.
    const missing = new Map<string, number[]>();
    objects.forEach((_, i) => {
      const key = keys[i]!;
      const known = this.cache?.get(key);
      if (known !== undefined) {
        out[i] = { score: known };
        this.hits += 1;
      } else {
        const at = missing.get(key);
        if (at) at.push(i);
        else missing.set(key, [i]);
      }
    });
    const pending = [...missing.values()];
    const batches: number[][][] = [];
    for (let s = 0; s < pending.length; s += this.o.batchSize) {
      batches.push(pending.slice(s, s + this.o.batchSize));
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const sent = batch.map((at) => objects[at[0]!]!);
        const { scores, error } = await this.call(sent);
        const learned: [string, number][] = [];
        batch.forEach((at, j) => {
          const v = scores?.[j];
          const ok = typeof v === 'number' && Number.isFinite(v);
          if (ok) learned.push([keys[at[0]!]!, v]);
          else this.failures += 1;
          for (const i of at) {
            out[i] = ok
              ? { score: v }
              : { score: null, error: error ?? 'the oracle gave no score' };
          }
        });
        this.cache?.putAll(learned);
        if (scores) await this.oracle.stored?.(sent);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batches.length) }, worker));
    return out;
  }

  /** One batch, with timeout and retries; no scores (and the last error) when every attempt failed. */
  private async call(
    objects: string[],
  ): Promise<{ scores: (number | null)[] | null; error?: string }> {
    let error = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) {
        this.retried += 1;
        await sleep(this.o.backoffMs * 2 ** (attempt - 1));
      }
      this.calls += 1;
      const t0 = performance.now();
      try {
        const scores = await withTimeout(
          (signal) => this.oracle.score(objects, signal),
          this.o.timeoutMs,
        );
        if (!Array.isArray(scores) || scores.length !== objects.length) {
          const got = Array.isArray(scores) ? scores.length : typeof scores;
          throw new Error(
            `oracle '${this.oracle.name}' answered ${objects.length} objects with ${got} scores`,
          );
        }
        const seconds = (performance.now() - t0) / 1000;
        this.successes += 1;
        this.latencySum += seconds;
        this.latencyMax = Math.max(this.latencyMax, seconds);
        return { scores };
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        this.lastError = error;
      }
    }
    return { scores: null, error: `${error} (after ${this.o.retries + 1} attempts)` };
  }

  /** The message of the last failed call. */
  lastError: string | null = null;

  stats(): OracleStats {
    return {
      oracle_calls: this.calls,
      oracle_cache_hits: this.hits,
      oracle_failures: this.failures,
      oracle_retries: this.retried,
      oracle_latency_mean: this.successes > 0 ? this.latencySum / this.successes : 0,
      oracle_latency_max: this.latencyMax,
    };
  }

  async close(): Promise<void> {
    await this.oracle.close?.();
    this.cache?.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `start`'s promise, or a rejection after `ms`, when the signal it was given is aborted too. */
function withTimeout<T>(start: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  const work = start(controller.signal);
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
