import { UserError } from '@gflownet/core';
import { parseOracle } from '@gflownet/core/oracles';
import { QueueWorker, Refused } from '@gflownet/queue';
import { ACTOR_LOADER } from './actor-loader.js';
import { type FlagSpec, applyDefaults, formatHelp, parseFlags } from './flags.js';
import { info } from './setup.js';

/** The flags that say where a learner and its workers meet (gfn train and gfn worker). */
export const QUEUE_FLAGS: FlagSpec[] = [
  {
    name: 'redis',
    type: 'string',
    placeholder: 'URL',
    description:
      'Redis to meet workers through: redis://[:PASSWORD@]HOST[:PORT][/DB], rediss:// for TLS',
  },
  {
    name: 'queue',
    type: 'string',
    default: 'gfn',
    placeholder: 'NAME',
    description: 'with --redis: the queue name a learner and its workers share',
  },
];

export const WORKER_FLAGS: FlagSpec[] = [
  ...QUEUE_FLAGS,
  {
    name: 'oracle',
    type: 'string',
    placeholder: 'SPEC',
    description:
      "take oracle calls, scoring with this oracle (it must be the learner's --oracle): " +
      'command:PROGRAM ARGS or an http(s):// URL',
  },
  {
    name: 'actors',
    type: 'string',
    default: 'yes',
    choices: ['yes', 'no'],
    description:
      "take actor batches (sampling with the learner's weights) when the learner sends any",
  },
  {
    name: 'env',
    type: 'string',
    placeholder: 'NAME|SPEC',
    description: 'the env this worker is for; it refuses a learner that trains another',
  },
  {
    name: 'concurrency',
    type: 'int',
    default: 1,
    min: 1,
    max: 1000,
    description: 'oracle calls under way at once in this worker',
  },
  {
    name: 'lock-timeout',
    type: 'float',
    default: 10,
    min: 0.5,
    max: 86_400,
    placeholder: 'SECONDS',
    description:
      'a job whose worker died goes to another after this (and up to half as long again); ' +
      'no job may block a worker this long',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function workerHelp(): string {
  return formatHelp(
    'gfn worker --redis URL [--oracle SPEC] [--actors yes|no] [--env NAME|SPEC]',
    'Work for a learner (gfn train --redis URL) from this machine: sample batches with the\n' +
      "learner's weights (when it runs with --workers N) and score objects with --oracle (when it\n" +
      'runs with --oracle). Start as many as you like, anywhere that reaches the Redis server; a\n' +
      'worker that dies mid-job has the job taken again by another (after --lock-timeout). A worker\n' +
      'refuses (exit code 2) a learner with another version of gflownet-ts, env, spec or oracle.\n' +
      'It waits for a learner when there is none yet, and through Redis outages; Ctrl-C or SIGTERM\n' +
      'stop it after the jobs under way. It opens no port.',
    WORKER_FLAGS,
    'Examples:\n' +
      '  gfn worker --redis redis://:secret@10.0.0.5:6379\n' +
      "  gfn worker --redis redis://localhost:6379 --actors no --oracle 'command:python dock.py'",
  );
}

export async function workerCommand(argv: readonly string[]): Promise<number | void> {
  const { values, positional } = parseFlags(argv, WORKER_FLAGS, false);
  if (values['help']) {
    process.stdout.write(workerHelp());
    return;
  }
  if (positional.length > 0) throw new UserError(`unexpected argument '${positional[0]}'`);
  applyDefaults(values, WORKER_FLAGS);
  const url = values['redis'] as string | undefined;
  if (!url) throw new UserError('gfn worker needs --redis URL (where the learner sends its work)');
  const actors = values['actors'] === 'yes';
  const spec = values['oracle'] as string | undefined;
  if (!actors && !spec) {
    throw new UserError('--actors no and no --oracle: this worker would take no work');
  }
  let worker: QueueWorker;
  try {
    worker = await QueueWorker.start({
      url,
      queue: values['queue'] as string,
      actors,
      ...(spec ? { oracle: { spec, oracle: parseOracle(spec) } } : {}),
      ...(values['env'] !== undefined ? { env: values['env'] as string } : {}),
      loader: ACTOR_LOADER,
      concurrency: values['concurrency'] as number,
      lockSeconds: values['lock-timeout'] as number,
      log: info,
    });
  } catch (err) {
    if (err instanceof Refused) throw new UserError(err.message);
    throw err;
  }
  const stop = (sig: NodeJS.Signals) => {
    info(`worker: ${sig}: stopping after the jobs under way`);
    void worker.close(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await worker.done;
  const c = worker.counts;
  info(
    `worker: done: ${c.batches} batches (${c.trajectories} trajectories), ` +
      `${c.oracleCalls} oracle calls (${c.objects} objects)`,
  );
  return code;
}
