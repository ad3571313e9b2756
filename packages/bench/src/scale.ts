/**
 * `pnpm bench:scale`: training spread over threads, processes and Redis. Prints figures and
 * writes bench/results/scale.{json,md}; asserts nothing.
 *
 *   local    the molecule env (fragments, QED), TB batch 32: training it/s and molecules sampled
 *            and scored per second with 0, 1 and 2 local actor threads.
 *   oracle   an oracle that takes 200 ms per call (an HTTP endpoint that sleeps, standing in for
 *            docking), batches of 64, through Redis with 1, 2, 4 and 8 gfn worker processes on
 *            this machine: objects scored per second.
 *   quality  exact L1 of TB on 4D H8 (batch 16) after 32k trajectories, 0 and 2 local actors.
 *   fault    TB on 4D H8 with 4 gfn worker processes through Redis for 2 minutes; every 10 s one
 *            is killed with SIGKILL and a new one started; trajectories lost and taken twice, and
 *            whether the model equals the one local actor threads train in as many iterations.
 *
 *   pnpm bench:scale [--sections local,oracle,quality,fault] [--fault-seconds S] [--quick]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Reporter, type RunConfig, createRun, initBackend } from '@gflownet/core';
import { OracleClient } from '@gflownet/core/oracles';
import hypergridModule from '@gflownet/env-hypergrid';
import { LearnerQueue } from '@gflownet/queue';
import { benchArgs } from './args.js';
import { hypergridRun, measureSpeed } from './measure.js';

const HELP = `pnpm bench:scale [options]: actors, oracles and Redis workers; writes
bench/results/scale.{json,md}. Prints figures and asserts nothing; needs redis-server for the
oracle and fault sections.

  --sections LIST     local,oracle,quality,fault (default: all)
  --fault-seconds S   length of the fault run (default 120)
  --quick             short blocks, 1 and 2 workers, a 20 s fault run (a smoke run)
  --out DIR           where to write the results (default bench/results)
  --help              this text`;

const { flag, has } = benchArgs(HELP);
const quick = has('quick');
const sections = new Set((flag('sections') ?? 'local,oracle,quality,fault').split(','));
const faultSeconds = Number(flag('fault-seconds') ?? (quick ? 20 : 120));
const outDir = flag('out') ?? 'bench/results';
const GFN = new URL('../../cli/bin/gfn.js', import.meta.url).pathname;

const backend = await initBackend();
const machine = `${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}`;
const setup = `backend ${backend.name} (${backend.detail}); ${machine}; Node ${process.version}`;
console.log(setup);
const results: Record<string, unknown> = { setup };
const md: string[] = ['# pnpm bench:scale', '', `Measured on: ${setup}.`, ''];
const fmt = (v: number, digits = 1): string => v.toFixed(digits);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A redis-server on a free localhost port, without persistence; stopped at exit. */
async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const which = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  if (which.status !== 0)
    throw new Error('redis-server is not installed (apt install redis-server)');
  const port = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'gfn-scale-redis-'));
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  await sleep(300);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `gfn worker ARGS`, resolved once it says it takes work. */
async function startWorker(workerArgs: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [GFN, 'worker', ...workerArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/taking /.test(text)) resolve();
    });
    child.on('exit', () => reject(new Error(`gfn worker exited:\n${text}`)));
  });
  return child;
}

const log = (m: string) => console.log(`  (${m})`);

if (sections.has('local')) {
  console.log('\n# local actor threads: molecules (fragments, QED), TB batch 32');
  const { moleculeModule } = await import('@gflownet/env-molecule/module');
  const rows: { workers: number; itPerSec: number; moleculesPerSec: number }[] = [];
  for (const workers of [0, 1, 2]) {
    const run = await createRun(
      { env: 'molecule', envParams: { mode: 'fragments' }, loss: 'tb', batchSize: 32, workers },
      [moleculeModule],
      { modules: ['@gflownet/env-molecule/module'] },
    );
    const speed = await measureSpeed(run, {
      repeats: quick ? 2 : 5,
      seconds: quick ? 1 : 3,
      warmup: quick ? 2 : 5,
    });
    await run.close();
    rows.push({ workers, itPerSec: speed.itPerSec, moleculesPerSec: speed.trajPerSec });
    console.log(
      `${workers} worker${workers === 1 ? ' ' : 's'}  ${fmt(speed.itPerSec, 2)} it/s  ` +
        `${fmt(speed.trajPerSec, 1)} molecules/s  (${fmt(speed.itPerSec / rows[0]!.itPerSec, 2)}x)`,
    );
  }
  results['local'] = rows;
  md.push(
    '## Local actor threads: molecules (fragments, QED), TB batch 32',
    '',
    '| actor threads | training it/s | molecules sampled and scored /s | speed-up |',
    '| ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.workers} | ${fmt(r.itPerSec, 2)} | ${fmt(r.moleculesPerSec, 1)} | ${fmt(r.itPerSec / rows[0]!.itPerSec, 2)}x |`,
    ),
    '',
  );
}

if (sections.has('oracle')) {
  console.log('\n# an oracle of 200 ms per call, batches of 64, through Redis');
  const redis = await startRedis();
  // The oracle: an HTTP endpoint that answers each call after 200 ms.
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const { objects } = JSON.parse(body) as { objects: string[] };
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ scores: objects.map((o) => o.length) }));
      }, 200);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const spec = `http://127.0.0.1:${(http.address() as { port: number }).port}/score`;
  const rows: { workers: number; objectsPerSec: number; callsPerSec: number; seconds: number }[] =
    [];
  try {
    for (const workers of quick ? [1, 2] : [1, 2, 4, 8]) {
      const queue = `scale-oracle-${workers}`;
      const lq = await LearnerQueue.open(redis.url, queue, log);
      await lq.start({ env: 'bench', modules: [], oracle: spec });
      const children = await Promise.all(
        Array.from({ length: workers }, () =>
          startWorker(['--redis', redis.url, '--queue', queue, '--actors', 'no', '--oracle', spec]),
        ),
      );
      const client = new OracleClient(lq.oracle(spec, 60_000), {
        batchSize: 64,
        concurrency: 2 * workers,
        retries: 0,
      });
      const calls = 8 * workers;
      const objects = Array.from({ length: 64 * calls }, (_, i) => `w${workers}-object-${i}`);
      const t0 = performance.now();
      const scores = await client.score(objects);
      const seconds = (performance.now() - t0) / 1000;
      if (scores.some((s) => s === null)) throw new Error('the oracle left objects unscored');
      for (const c of children) c.kill('SIGTERM');
      await lq.close();
      rows.push({
        workers,
        objectsPerSec: objects.length / seconds,
        callsPerSec: calls / seconds,
        seconds,
      });
      console.log(
        `${workers} worker process${workers === 1 ? '  ' : 'es'}  ${fmt(objects.length / seconds, 0)} objects/s  ` +
          `${fmt(calls / seconds, 2)} calls/s  (${fmt(objects.length / seconds / rows[0]!.objectsPerSec, 2)}x)`,
      );
    }
  } finally {
    http.close();
    redis.stop();
  }
  results['oracle'] = rows;
  const base = rows[0]!.objectsPerSec;
  md.push(
    '## An oracle of 200 ms per call through Redis (batches of 64, gfn worker processes on this machine)',
    '',
    '| worker processes | objects/s | calls/s | speed-up | ideal |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.workers} | ${fmt(r.objectsPerSec, 0)} | ${fmt(r.callsPerSec, 2)} | ${fmt(r.objectsPerSec / base, 2)}x | ${r.workers}x |`,
    ),
    '',
  );
}

if (sections.has('quality')) {
  console.log('\n# exact L1 of TB on 4D H8, batch 16, after 32k trajectories');
  const rows: { workers: number; l1: number; itPerSec: number }[] = [];
  for (const workers of [0, 2]) {
    const trajectories = quick ? 4000 : 32_000;
    const c = {
      label: '',
      loss: 'tb' as const,
      ndim: 4,
      height: 8,
      batch: 16,
      backward: 'uniform' as const,
      workers,
    };
    const run = await hypergridRun(c, {
      iterations: trajectories / 16,
      evalEvery: trajectories / 16,
      seed: 0,
    });
    let l1 = NaN;
    const collect: Reporter = { onEval: (r) => void (l1 = r['l1_exact']!) };
    const result = await run.train({ reporters: [collect] });
    await run.close();
    rows.push({ workers, l1, itPerSec: result.iterations / result.seconds });
    console.log(
      `${workers} workers  L1 ${fmt(l1, 4)}  (${fmt(result.iterations / result.seconds)} it/s)`,
    );
  }
  results['quality'] = rows;
  md.push(
    '## Learning quality with actors: TB, 4D H8, batch 16, seed 0, exact L1 after 32k trajectories',
    '',
    '| actor threads | exact L1 | it/s |',
    '| ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.workers} | ${fmt(r.l1, 4)} | ${fmt(r.itPerSec)} |`),
    '',
  );
}

if (sections.has('fault')) {
  console.log(
    `\n# fault run: 4 workers through Redis, one killed with SIGKILL every 10 s, ${faultSeconds} s`,
  );
  const redis = await startRedis();
  const config: Partial<RunConfig> & Pick<RunConfig, 'env'> = {
    env: 'hypergrid',
    envParams: { ndim: 4, height: 8, r0: 0.1, r1: 0.5, r2: 2 },
    loss: 'tb',
    batchSize: 16,
    iterations: 10_000_000,
    evalEvery: 10_000_000,
    workers: 4,
    seed: 3,
  };
  const lq = await LearnerQueue.open(redis.url, 'fault', log);
  const run = await createRun(config, [hypergridModule], {
    modules: ['@gflownet/env-hypergrid'],
    actors: lq.actorsFactory(),
    stateGraph: false,
  });
  await lq.start({ env: 'hypergrid', modules: run.modules, oracle: null });
  const workerArgs = ['--redis', redis.url, '--queue', 'fault', '--lock-timeout', '3'];
  const workers = await Promise.all(Array.from({ length: 4 }, () => startWorker(workerArgs)));
  let kills = 0;
  const stop = new AbortController();
  // Every 10 s, one worker (in turn) is killed and a new one started in its place; the new one
  // takes a few seconds to load, so for a while three work.
  const starting: Promise<unknown>[] = [];
  const killer = setInterval(() => {
    const at = kills % 4;
    workers[at]!.kill('SIGKILL');
    kills += 1;
    const next = startWorker(workerArgs).then((w) => (workers[at] = w));
    starting.push(next);
  }, 10_000);
  setTimeout(() => {
    clearInterval(killer);
    stop.abort();
  }, faultSeconds * 1000);
  const result = await run.train({ signal: stop.signal });
  await Promise.all(starting);
  for (const w of workers) w.kill('SIGTERM');
  const taken = lq.actors!.taken;
  const iterations = result.iterations;
  const expected = iterations * 16;
  const lost = expected - run.trajectories;
  const twice = taken.batches - taken.iterations.size;
  const remoteModel = JSON.stringify(run.model.toJSON());
  await run.close();
  await lq.close();
  redis.stop();
  // The same iterations with local actor threads: the same batches, so the same model.
  const local = await createRun({ ...config, iterations }, [hypergridModule], {
    modules: ['@gflownet/env-hypergrid'],
    stateGraph: false,
  });
  await local.train();
  const same = JSON.stringify(local.model.toJSON()) === remoteModel;
  await local.close();
  const row = {
    seconds: faultSeconds,
    kills,
    iterations,
    trajectories: run.trajectories,
    lost,
    takenTwice: twice,
    sameModelAsLocalThreads: same,
  };
  results['fault'] = row;
  console.log(
    `${kills} workers killed; ${iterations} iterations, ${run.trajectories} trajectories; ` +
      `lost ${lost}, taken twice ${twice}; model equal to local threads': ${same ? 'yes' : 'NO'}`,
  );
  md.push(
    '## Fault run: TB 4D H8 batch 16, 4 gfn worker processes through Redis, one killed with ' +
      'SIGKILL every 10 s (and a new one started)',
    '',
    '| seconds | workers killed | iterations | trajectories | lost | taken twice | same model as local actor threads |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${faultSeconds} | ${kills} | ${iterations} | ${run.trajectories} | ${lost} | ${twice} | ${same ? 'yes' : 'no'} |`,
    '',
  );
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'scale.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'scale.md'), `${md.join('\n')}\n`);
console.log(`\nwrote ${join(outDir, 'scale.json')} and scale.md`);
process.exit(0);
