import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '@gflownet/core';
import type { ActorSetup } from '@gflownet/core/actors';
import type { Redis } from 'ioredis';

/** BullMQ's key prefix for this project's queues. */
export const PREFIX = 'gfn';

/** The names under which a learner and its workers meet in Redis, from the queue name. */
export function names(queue: string): {
  actorQueue: string;
  oracleQueue: string;
  manifest: string;
  learner: string;
  /** The key of one version's weights ('*' for every version, as a KEYS pattern). */
  weights: (key: string, version: number | '*') => string;
} {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(queue)) {
    throw new UserError(`--queue '${queue}': use 1 to 64 letters, digits, '.', '_' or '-'`);
  }
  return {
    actorQueue: `${queue}-actors`,
    oracleQueue: `${queue}-oracle`,
    manifest: `${PREFIX}:${queue}:manifest`,
    learner: `${PREFIX}:${queue}:learner`,
    weights: (key, version) => `${PREFIX}:${queue}:weights:${key}:${version}`,
  };
}

/**
 * What a learner publishes for its workers: the code version, the env and the sha256 of each
 * spec file the run uses, the oracle, and what an actor needs to build its copy of the run. A
 * worker whose own differ refuses to work for it.
 */
export interface Manifest {
  format: 'gflownet-ts/queue@1';
  /** The learner's run key: jobs name it, and it changes with each learner start. */
  key: string;
  /** Versions of @gflownet/core and @gflownet/queue. */
  code: string;
  env: string;
  /** sha256 of each .gfn spec among the run's modules, by path. */
  specs: Record<string, string>;
  /** The --oracle spec workers score with, or null. */
  oracle: string | null;
  /** The actors' setup (the loader is each worker's own), or null when no actor work is sent. */
  actors: Omit<ActorSetup, 'loader'> | null;
  /** Where the learner runs, for messages. */
  learner: string;
}

/** The versions a learner and its workers must share. */
export function codeVersion(): string {
  const version = (url: URL): string =>
    (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  const core = version(new URL(import.meta.resolve('@gflownet/core/package.json')));
  const queue = version(new URL('../package.json', import.meta.url));
  return `@gflownet/core ${core}, @gflownet/queue ${queue}`;
}

/** sha256 of each spec file among module specifiers (a spec ends in .gfn). */
export function specHashes(modules: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of modules) {
    if (m.endsWith('.gfn') && existsSync(m)) out[m] = sha256(readFileSync(m));
  }
  return out;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readManifest(redis: Redis, key: string): Promise<Manifest | null> {
  const text = await redis.get(key);
  return text ? (JSON.parse(text) as Manifest) : null;
}

/** What a worker was started with, to compare with a learner's manifest. */
export interface WorkerIdentity {
  code: string;
  /** --env: an env name or a .gfn spec path, when given. */
  env?: string;
  /** --oracle, when given. */
  oracle?: string;
  /** Whether it takes actor work. */
  actors: boolean;
}

/**
 * Why this worker must not work for the learner, or null: another code version, env or spec
 * (its file here differs from the learner's), or another oracle.
 */
export function mismatch(m: Manifest, me: WorkerIdentity): string | null {
  const tail = `(learner ${m.learner})`;
  if (m.format !== 'gflownet-ts/queue@1') return `the learner speaks ${m.format} ${tail}`;
  if (m.code !== me.code) {
    return `the learner runs ${m.code} and this worker ${me.code}; install the same versions ${tail}`;
  }
  if (me.env !== undefined) {
    if (me.env.endsWith('.gfn')) {
      const mine = existsSync(me.env) ? sha256(readFileSync(me.env)) : null;
      if (!mine) return `--env ${me.env}: no such spec file`;
      if (!Object.values(m.specs).includes(mine)) {
        return `this worker's spec ${me.env} is not the learner's (its env is '${m.env}', specs ${
          Object.keys(m.specs).join(', ') || 'none'
        }) ${tail}`;
      }
    } else if (me.env !== m.env) {
      return `this worker was started for env '${me.env}' and the learner trains '${m.env}' ${tail}`;
    }
  }
  if (me.actors && m.actors) {
    for (const [path, hash] of Object.entries(m.specs)) {
      if (!existsSync(path)) return `the learner's spec ${path} does not exist here ${tail}`;
      if (sha256(readFileSync(path)) !== hash) {
        return `the spec ${path} here differs from the learner's (another version of it) ${tail}`;
      }
    }
  }
  if (m.oracle !== null && me.oracle !== undefined && me.oracle !== m.oracle) {
    return `this worker's oracle is '${me.oracle}' and the learner's '${m.oracle}' ${tail}`;
  }
  return null;
}
