import { isIP } from 'node:net';
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
const TLS_ERROR = /certificate|SSL routines|wrong version number|ERR_TLS|CERT_/i;

/**
 * Connects to Redis and waits until it answers. While it does not (at the start, or after a
 * restart), commands wait and the outage is told once, then its end; nothing is dropped.
 * A refused password or a failed TLS handshake is an error at once, not a wait. `who` names this
 * side in messages.
 */
export async function connect(url: string, log: Log, who: string): Promise<Connection> {
  const u = checkRedisUrl(url);
  const where = describeRedisUrl(url);
  const redis = new Redis(url, {
    // BullMQ needs commands to wait through an outage instead of failing after some retries.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: `gflownet-${who}`,
    // TLS verifies the server's certificate against the system's CAs (NODE_EXTRA_CA_CERTS adds
    // one); SNI names a host, never an IP address.
    ...(u.protocol === 'rediss:'
      ? { tls: isIP(u.hostname) ? {} : { servername: u.hostname } }
      : {}),
  });
  const hooks: (() => void | Promise<void>)[] = [];
  let readyOnce = false;
  let down = false;
  let fatal: UserError | null = null;
  redis.on('error', (err: Error) => {
    if (!readyOnce && AUTH_ERROR.test(err.message)) {
      fatal = new UserError(
        `Redis at ${where} refused the credentials (${err.message}); ` +
          'give the password in the URL: redis://:PASSWORD@HOST:PORT',
      );
    } else if (!readyOnce && TLS_ERROR.test(err.message)) {
      fatal = new UserError(
        `TLS with Redis at ${where} failed (${err.message}); a rediss:// URL needs a server ` +
          "certificate this machine trusts (a private CA's file goes in NODE_EXTRA_CA_CERTS), " +
          'and a redis:// URL a server without TLS',
      );
    }
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
      if (fatal) {
        clearInterval(check);
        redis.disconnect();
        reject(fatal);
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
