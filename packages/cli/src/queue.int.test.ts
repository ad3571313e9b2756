import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GfnChild, metricRecords, runGfn, spawnGfn } from './test-support/gfn-process.js';
import { TestRedis, withRedis } from './test-support/redis.js';

// gfn train --redis with gfn worker processes, through the built CLI and a real redis-server on
// a free localhost port. Remote actors sample each batch with the seed of its iteration and the
// weights of its version, so a run through Redis trains exactly the model that local actor
// threads train: a worker killed mid-run or a Redis restart must change nothing.

let dir: string;
const children: GfnChild[] = [];
const servers: TestRedis[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-queue-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function redis(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
  const s = await TestRedis.start(options);
  servers.push(s);
  return s;
}

/** Workers give a dead worker's job to another after 2 s instead of 10. */
function spawn(args: string[], env: NodeJS.ProcessEnv = process.env): GfnChild {
  const c = spawnGfn(dir, args[0] === 'worker' ? [...args, '--lock-timeout', '2'] : args, env);
  children.push(c);
  return c;
}

const grid = ['--env', 'hypergrid', '--ndim', '2', '--height', '6'];
const ITERATIONS = 200;
const train = (out: string, extra: string[], iterations = ITERATIONS) => [
  'train',
  ...grid,
  '--batch-size',
  '16',
  '--iterations',
  String(iterations),
  '--workers',
  '2',
  '--out',
  out,
  '--quiet',
  ...extra,
];

let reference: string | null = null;
/** model.json of the same run with local actor threads. */
function localModel(): string {
  if (reference === null) {
    const r = runGfn(dir, train('local', []));
    expect(r.code).toBe(0);
    reference = readFileSync(join(dir, 'local', 'model.json'), 'utf8');
  }
  return reference;
}

const steps = (run: string) => metricRecords(join(dir, run), 'step');

function expectSameRunAsLocal(run: string): void {
  const s = steps(run);
  expect(s).toHaveLength(ITERATIONS);
  expect(s.at(-1)!['trajectories']).toBe(ITERATIONS * 16);
  expect(readFileSync(join(dir, run, 'model.json'), 'utf8')).toBe(localModel());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gfn train --redis with gfn worker', () => {
  withRedis(
    'trains the same model as local actors through a worker killed mid-run and a Redis restart',
    async () => {
      const server = await redis({ password: 's3cret' });
      const w1 = spawn(['worker', '--redis', server.url]);
      const w2 = spawn(['worker', '--redis', server.url]);
      const learner = spawn(train('faults', ['--redis', server.url]));
      await w1.waitFor(/taking actor batches/);
      await sleep(1000);
      w1.child.kill('SIGKILL');
      await sleep(1000);
      await server.restart(1000);
      expect(await learner.exited).toBe(0);
      expect(learner.output()).toMatch(/l1_exact/);
      // The learner waited through the outage and said so (the password masked).
      expect(learner.output()).toMatch(/lost Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
      expect(learner.output()).toMatch(/Redis at .* is back; continuing/);
      expect(learner.output()).not.toMatch(/s3cret/);
      expectSameRunAsLocal('faults');
      expect(w2.output()).toMatch(/taking actor batches/);
    },
    240_000,
  );

  withRedis(
    'refuses a wrong password, and a worker started for another env',
    async () => {
      const server = await redis({ password: 'right' });
      const wrong = server.url.replace(':right@', ':wrong@');
      const bad = runGfn(dir, [...train('refused', ['--redis', wrong])]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/refused the credentials/);
      expect(bad.stderr).not.toMatch(/wrong/);

      const learner = spawn(train('mismatch', ['--redis', server.url], 20));
      await learner.waitFor(/sending 2 batches/);
      const other = runGfn(dir, ['worker', '--redis', server.url, '--env', 'ising']);
      expect(other.code).toBe(2);
      expect(other.stderr).toMatch(
        /refuses: this worker was started for env 'ising' and the learner trains 'hypergrid'/,
      );
      // A spec that is not the learner's is refused by its contents.
      const spec = join(dir, 'other.gfn');
      writeFileSync(spec, 'env other\nstate { x: int[0..3] }\naction inc() { x += 1 }\nreward 1\n');
      const specWorker = runGfn(dir, ['worker', '--redis', server.url, '--env', spec]);
      expect(specWorker.code).toBe(2);
      expect(specWorker.stderr).toMatch(
        /refuses: this worker's spec .*other\.gfn is not the learner's/,
      );
      spawn(['worker', '--redis', server.url, '--env', 'hypergrid']);
      expect(await learner.exited).toBe(0);
    },
    240_000,
  );

  withRedis(
    'speaks TLS with rediss:// URLs, and says so when the certificate is not trusted',
    async () => {
      const server = await redis({ tls: true, password: 'tls-pw' });
      expect(server.url).toMatch(/^rediss:\/\//);
      const untrusted = runGfn(dir, train('untrusted', ['--redis', server.url], 5));
      expect(untrusted.code).toBe(2);
      expect(untrusted.stderr).toMatch(
        /TLS with Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+ failed/,
      );
      const trusted = { ...process.env, NODE_EXTRA_CA_CERTS: server.caFile };
      spawn(['worker', '--redis', server.url], trusted);
      const learner = spawn(train('tls', ['--redis', server.url], 20), trusted);
      expect(await learner.exited).toBe(0);
      expect(steps('tls')).toHaveLength(20);
    },
    240_000,
  );

  withRedis(
    'an oracle call whose worker is killed mid-call is taken by another worker',
    async () => {
      const server = await redis();
      const script = join(dir, 'slow-oracle.mjs');
      const started = join(dir, 'started');
      // Scores [a, b] with 1 + a + b, slowly, and marks that it has begun a call.
      writeFileSync(
        script,
        `import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (line) => {
  writeFileSync(${JSON.stringify(started)}, String(process.pid));
  const [a, b] = JSON.parse(line);
  setTimeout(() => process.stdout.write(1 + a + b + '\\n'), 150);
});
`,
      );
      const oracle = `command:node ${script}`;
      const learner = spawn([
        'train',
        ...grid,
        '--iterations',
        '2',
        '--batch-size',
        '8',
        '--oracle',
        oracle,
        '--redis',
        server.url,
        '--out',
        'oracle-killed',
        '--quiet',
      ]);
      const w1 = spawn(['worker', '--redis', server.url, '--actors', 'no', '--oracle', oracle]);
      const t0 = Date.now();
      while (!existsSync(started) && Date.now() - t0 < 60_000) await sleep(20);
      expect(existsSync(started)).toBe(true);
      w1.child.kill('SIGKILL');
      spawn(['worker', '--redis', server.url, '--actors', 'no', '--oracle', oracle]);
      expect(await learner.exited).toBe(0);
      const last = steps('oracle-killed').at(-1)!;
      expect(last['oracle_failures']).toBe(0);
      expect(last['oracle_dropped_total']).toBe(0);
      expect(last['trajectories']).toBe(16);
      // The scores are the oracle's, each once in the cache.
      const cache = readFileSync(join(dir, 'oracle-killed', 'oracle-scores.jsonl'), 'utf8');
      const keys = cache
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { k: string }).k);
      expect(new Set(keys).size).toBe(keys.length);
    },
    240_000,
  );
});
