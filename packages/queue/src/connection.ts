import { UserError } from '@gflownet/core';
import { Redis } from 'ioredis';

/** Where progress and outages are told (a line each). */
export type Log = (message: string) => void;

/** A Redis URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * A Redis URL, checked: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://...` for TLS.
 */
export function checkRedisUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `--redis '${url}' is not a URL; expected redis://[:PASSWORD@]HOST[:PORT][/DB] ` +
        '(rediss:// for TLS)',
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(
      `--redis '${describeRedisUrl(url)}': the scheme must be redis:// or rediss:// (TLS), not ${u.protocol}//`,
    );
  }
  return u;
}

/** A connection that has been ready once, with a hook for each later reconnection. */
export interface Connection {
  redis: Redis;
  /** Called each time the connection is ready again after an outage. */
  onReconnect(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

const AUTH_ERROR = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i;

/**
 * Connects to Redis and waits until it answers. While it does not (at the start, or after a
 * restart), commands wait and the outage is told once, then its end; nothing is dropped.
 * A refused password is an error at once, not a wait. `who` names this side in messages.
 */
export async function connect(url: string, log: Log, who: string): Promise<Connection> {
  const u = checkRedisUrl(url);
  const where = describeRedisUrl(url);
  const redis = new Redis(url, {
    // BullMQ needs commands to wait through an outage instead of failing after some retries.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: `gflownet-${who}`,
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  });
  const hooks: (() => void | Promise<void>)[] = [];
  let readyOnce = false;
  let down = false;
  let authError: Error | null = null;
  redis.on('error', (err: Error) => {
    if (AUTH_ERROR.test(err.message)) authError = err;
    if (!down) {
      down = true;
      log(
        readyOnce
          ? `${who}: lost Redis at ${where} (${err.message}); waiting for it to come back`
          : `${who}: waiting for Redis at ${where} (${err.message})`,
      );
    }
  });
  redis.on('ready', () => {
    if (down && readyOnce) {
      log(`${who}: Redis at ${where} is back; continuing`);
      for (const fn of hooks) {
        Promise.resolve(fn()).catch((err: unknown) =>
          log(`${who}: after reconnecting: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    }
    down = false;
    readyOnce = true;
  });
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (authError) {
        clearInterval(check);
        redis.disconnect();
        reject(
          new UserError(
            `Redis at ${where} refused the credentials (${authError.message}); ` +
              'give the password in the URL: redis://:PASSWORD@HOST:PORT',
          ),
        );
      } else if (readyOnce) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  return {
    redis,
    onReconnect: (fn) => hooks.push(fn),
    close: async () => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
