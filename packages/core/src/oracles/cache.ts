import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * A persistent cache of scores by key: an append-only log, one JSON line per score, kept in
 * memory and appended (and synced) as scores arrive, never rewritten whole. A crash can only cut
 * the last line short; opening the cache skips such a line. Failures are not cached.
 */
export class ScoreLog {
  private readonly scores = new Map<string, number>();
  private fd: number | null = null;

  constructor(readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const { k, v } = JSON.parse(line) as { k: string; v: number };
          if (typeof k === 'string' && typeof v === 'number') this.scores.set(k, v);
        } catch {
          // A line cut short by a crash: the score is computed again.
        }
      }
      // Starts appending on a fresh line even after a torn one.
      if (text.length > 0 && !text.endsWith('\n')) this.append('\n');
    }
    // Opened now, so that the log follows its directory if that is renamed (a run's directory
    // is, when its first checkpoint commits it).
    this.open();
  }

  get size(): number {
    return this.scores.size;
  }

  get(key: string): number | undefined {
    return this.scores.get(key);
  }

  /** Records scores and syncs them to disk before returning. */
  putAll(entries: readonly [string, number][]): void {
    if (entries.length === 0) return;
    const fresh = entries.filter(([k]) => !this.scores.has(k));
    for (const [k, v] of fresh) this.scores.set(k, v);
    if (fresh.length === 0) return;
    this.append(fresh.map(([k, v]) => `${JSON.stringify({ k, v })}\n`).join(''));
    fsyncSync(this.fd!);
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    }
    return this.fd;
  }

  private append(text: string): void {
    writeSync(this.open(), text);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
