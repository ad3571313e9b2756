import type { FlagSpec, FlagValue } from '../registry/command.js';
import { ScoreLog } from './cache.js';
import { OracleClient } from './client.js';
import type { Oracle } from './oracle.js';
import { parseOracle } from './parse.js';

/**
 * The flags of a command that calls an oracle (`gfn train`, `gfn molecule score`): what to call
 * and how (batch size, concurrency, timeout, retries), and where to keep its scores. `what`
 * names the objects in the help ("objects", "molecules").
 */
export function oracleFlags(what = 'objects'): FlagSpec[] {
  return [
    {
      name: 'oracle',
      type: 'string',
      placeholder: 'SPEC',
      description:
        'an expensive scorer: command:PROGRAM ARGS (reads one object per line on stdin, writes one ' +
        'score per line) or an http(s):// URL (POST {"objects": [...]} -> {"scores": [...]})',
    },
    {
      name: 'oracle-cache',
      type: 'string',
      placeholder: 'FILE',
      description: `scores kept across runs and crashes (an append-only log); known ${what} are not sent`,
    },
    {
      name: 'oracle-batch',
      type: 'int',
      default: 64,
      min: 1,
      max: 100_000,
      description: `${what} per oracle call`,
    },
    {
      name: 'oracle-concurrency',
      type: 'int',
      default: 4,
      min: 1,
      max: 1000,
      description: 'oracle calls under way at once (a command oracle answers one at a time)',
    },
    {
      name: 'oracle-timeout',
      type: 'float',
      default: 600,
      min: 0.001,
      max: 1e7,
      description: 'seconds before an oracle call fails (and is retried)',
    },
    {
      name: 'oracle-retries',
      type: 'int',
      default: 3,
      min: 0,
      max: 100,
      description: 'further attempts of a failed call, with exponential backoff from 1 s',
    },
  ];
}

/**
 * An oracle client from the values of `oracleFlags` (null without --oracle). `oracle` replaces
 * the one --oracle names (e.g. a queue to remote workers); `cache` is the cache file when
 * --oracle-cache is not given.
 */
export function oracleClientFromFlags(
  values: Record<string, FlagValue | undefined>,
  options: { oracle?: Oracle; cache?: string } = {},
): OracleClient | null {
  const spec = values['oracle'] as string | undefined;
  if (!spec) return null;
  const cachePath = (values['oracle-cache'] as string | undefined) ?? options.cache;
  return new OracleClient(options.oracle ?? parseOracle(spec), {
    batchSize: values['oracle-batch'] as number,
    concurrency: values['oracle-concurrency'] as number,
    timeoutMs: (values['oracle-timeout'] as number) * 1000,
    retries: values['oracle-retries'] as number,
    cache: cachePath ? new ScoreLog(cachePath) : null,
  });
}
