import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScoreLog } from './cache.js';
import { OracleClient } from './client.js';
import { CommandOracle } from './command.js';
import { HttpOracle } from './http.js';
import { FunctionOracle } from './oracle.js';
import { parseOracle } from './parse.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-oracles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fast = { backoffMs: 1, timeoutMs: 5000 };

describe('OracleClient', () => {
  it('batches, caps concurrent calls and scores in order', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const oracle = new FunctionOracle('len', async (objects) => {
      running++;
      most = Math.max(most, running);
      sizes.push(objects.length);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return objects.map((o) => o.length);
    });
    const client = new OracleClient(oracle, { ...fast, batchSize: 3, concurrency: 2 });
    const objects = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'g'];
    expect(await client.score(objects)).toEqual([1, 2, 3, 4, 5, 6, 1]);
    expect(sizes.sort()).toEqual([1, 3, 3]);
    expect(most).toBe(2);
    expect(client.stats().oracle_calls).toBe(3);
  });

  it('retries a failing call with backoff, then leaves its objects unscored', async () => {
    let attempts = 0;
    const flaky = new FunctionOracle('flaky', (objects) => {
      attempts++;
      if (attempts < 3) throw new Error('busy');
      return objects.map(() => 1);
    });
    const client = new OracleClient(flaky, { ...fast, retries: 3 });
    expect(await client.score(['x', 'y'])).toEqual([1, 1]);
    expect(client.stats()).toMatchObject({
      oracle_calls: 3,
      oracle_retries: 2,
      oracle_failures: 0,
    });

    const broken = new OracleClient(
      new FunctionOracle('broken', () => {
        throw new Error('down');
      }),
      { ...fast, retries: 2 },
    );
    expect(await broken.score(['x', 'y'])).toEqual([null, null]);
    expect(broken.stats()).toMatchObject({ oracle_calls: 3, oracle_failures: 2 });
    expect(broken.lastError).toBe('down');
  });

  it('times out a call that does not answer, and never scores null or non-finite answers', async () => {
    const slow = new FunctionOracle('slow', () => new Promise(() => undefined));
    const client = new OracleClient(slow, { backoffMs: 1, timeoutMs: 20, retries: 1 });
    expect(await client.score(['x'])).toEqual([null]);
    expect(client.lastError).toContain('no answer within 20 ms');
    const partial = new OracleClient(new FunctionOracle('partial', () => [0.5, null, NaN]), fast);
    expect(await partial.score(['a', 'b', 'c'])).toEqual([0.5, null, null]);
    expect(partial.stats().oracle_failures).toBe(2);
  });
});

describe('ScoreLog', () => {
  it('keeps scores across reopening, skips a line cut short by a crash, and does not rescore', async () => {
    const path = join(dir, 'cache', 'scores.jsonl');
    let calls = 0;
    const oracle = new FunctionOracle('count', (objects) => {
      calls += objects.length;
      return objects.map((o) => o.length);
    });
    const first = new OracleClient(oracle, { ...fast, cache: new ScoreLog(path) });
    await first.score(['a', 'bb', 'ccc', 'a']); // 'a' is sent once
    await first.close();
    // A crash while appending: half a line at the end.
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"k":"dddd","v"`);
    const cache = new ScoreLog(path);
    expect(cache.size).toBe(3);
    const second = new OracleClient(oracle, { ...fast, cache });
    expect(await second.score(['bb', 'dddd', 'a'])).toEqual([2, 4, 1]);
    expect(calls).toBe(4);
    expect(second.stats().oracle_cache_hits).toBe(2);
    await second.close();
    expect(new ScoreLog(path).get('dddd')).toBe(4);
  });
});

describe('oracle kinds', () => {
  it('command: one long-lived process, one object per line; restarted after it exits', async () => {
    const script = join(dir, 'oracle.mjs');
    // Scores the length of each line; "bad" gets an error line; "die" ends the process.
    writeFileSync(
      script,
      `import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'die') process.exit(3);
  process.stdout.write(line === 'bad' ? 'error: cannot score\\n' : line.length + '\\n');
});
`,
    );
    const oracle = parseOracle(`command:${process.execPath} ${script}`);
    expect(oracle).toBeInstanceOf(CommandOracle);
    const client = new OracleClient(oracle, { ...fast, batchSize: 2, retries: 1 });
    expect(await client.score(['ab', 'bad', 'abcd'])).toEqual([2, null, 4]);
    expect(await oracle.score(['x'])).toEqual([1]);
    await expect(oracle.score(['die'])).rejects.toThrow(/exited \(code 3\)/);
    expect(await oracle.score(['xyz'])).toEqual([3]);
    await client.close();
  });

  it('http: batches POSTed as JSON', async () => {
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const { objects } = JSON.parse(body) as { objects: string[] };
        if (objects.includes('500')) {
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ scores: objects.map((o) => (o === '?' ? null : o.length)) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const oracle = parseOracle(`http://127.0.0.1:${port}/score`);
      expect(oracle).toBeInstanceOf(HttpOracle);
      const client = new OracleClient(oracle, { ...fast, retries: 0 });
      expect(await client.score(['ab', '?', 'abc'])).toEqual([2, null, 3]);
      expect(await client.score(['500'])).toEqual([null]);
      expect(client.lastError).toContain('answered 500');
    } finally {
      server.close();
    }
  });

  it('refuses an oracle it does not know, naming the kinds', () => {
    expect(() => parseOracle('docking')).toThrow(/command:PROGRAM .* or an http\(s\):\/\/ URL/);
    expect(() => parseOracle('command:')).toThrow(/needs a command/);
  });
});
