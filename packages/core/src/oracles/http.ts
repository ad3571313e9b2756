import type { Oracle } from './oracle.js';

/**
 * An HTTP endpoint as an oracle: each call POSTs `{"objects": [...]}` as JSON and expects
 * `{"scores": [...]}` back, one number (or null) per object, in order. A status other than 2xx
 * fails the call (the client retries it).
 */
export class HttpOracle implements Oracle {
  readonly name: string;

  constructor(private readonly url: string) {
    this.name = url;
  }

  async score(objects: readonly string[], signal?: AbortSignal): Promise<(number | null)[]> {
    const response = await fetch(this.url, {
      method: 'POST',
      ...(signal ? { signal } : {}),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ objects }),
    });
    if (!response.ok) {
      throw new Error(`${this.url} answered ${response.status} ${response.statusText}`);
    }
    const body = (await response.json()) as { scores?: unknown };
    if (!Array.isArray(body.scores)) throw new Error(`${this.url} answered without a scores list`);
    return body.scores.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
  }
}
