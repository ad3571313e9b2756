import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertConformance } from '@gflownet/core/testing';
import { logSumExp } from '@gflownet/core/metrics';
import { McmcChains } from '@gflownet/core/baselines';
import { checkSpecEnv } from '@gflownet/dsl';
import { ZOO } from './module.js';
import { parsimony } from './parsimony.js';

/**
 * Each zoo env's partition function, computed here by brute force from the definitions in the
 * papers, independently of the spec compiler and its explorer: every object is listed directly
 * (spin configurations, DAGs, bit strings, sets, trees, ...) and its log-reward computed in
 * plain TypeScript. The model check's exhaustive exploration of the compiled spec must agree.
 */
const PACKAGE = join(import.meta.dirname, '..');

function script(name: string): number[] & number[][] {
  const out = execFileSync(process.execPath, [join(PACKAGE, 'scripts', name), '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as number[] & number[][];
}

/** All subsets of {0..n-1} as bitmasks. */
const subsets = (n: number) => Array.from({ length: 2 ** n }, (_, m) => m);
const has = (m: number, i: number) => ((m >> i) & 1) === 1;
const popcount = (m: number) => m.toString(2).replaceAll('0', '').length;
/** All sequences of length n over 0..k-1. */
const sequences = (n: number, k: number): number[][] =>
  n === 0
    ? [[]]
    : sequences(n - 1, k).flatMap((s) => Array.from({ length: k }, (_, c) => [...s, c]));

function isingLogZ(L: number, J: number): number {
  const N = L * L;
  // torchgfn's make_J: row and column neighbours, wrapping around (set to 1, never doubled).
  const A = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  for (let k = 0; k < N; k++) {
    for (let m = 0; m < N; m++) {
      const [i1, j1, i2, j2] = [Math.floor(k / L), k % L, Math.floor(m / L), m % L];
      const dj = Math.abs(j1 - j2);
      const di = Math.abs(i1 - i2);
      if (
        k !== m &&
        ((i1 === i2 && (dj === 1 || dj === L - 1)) || (j1 === j2 && (di === 1 || di === L - 1)))
      )
        A[k]![m] = 1;
    }
  }
  return logSumExp(
    subsets(N).map((m) => {
      const x = Array.from({ length: N }, (_, i) => (has(m, i) ? 1 : -1));
      let e = 0;
      for (let k = 0; k < N; k++) for (let j = 0; j < N; j++) e += A[k]![j]! * x[k]! * x[j]!;
      return J * e;
    }),
  );
}

function bayesnetLogZ(beta: number): { logZ: number; dags: number } {
  // The spec writes the scores to 4 decimals.
  const local = (script('bayesnet-scores.mjs') as unknown as number[][]).map((row) =>
    row.map((v) => Number(v.toFixed(4))),
  );
  const d = 4;
  const pairs = [...Array(d * d).keys()].filter((p) => Math.floor(p / d) !== p % d);
  const acyclic = (edges: boolean[][]) => {
    const state = new Array<number>(d).fill(0);
    const visit = (u: number): boolean => {
      state[u] = 1;
      for (let v = 0; v < d; v++) {
        if (!edges[u]![v]) continue;
        if (state[v] === 1 || (state[v] === 0 && !visit(v))) return false;
      }
      state[u] = 2;
      return true;
    };
    return [...Array(d).keys()].every((u) => state[u] !== 0 || visit(u));
  };
  const logR: number[] = [];
  for (const m of subsets(pairs.length)) {
    const e = Array.from({ length: d }, () => new Array<boolean>(d).fill(false));
    pairs.forEach((p, b) => (e[Math.floor(p / d)]![p % d] = has(m, b)));
    if (!acyclic(e)) continue;
    let score = 0;
    for (let k = 0; k < d; k++) {
      const mask = [...Array(d).keys()].reduce((s, j) => s + (e[j]![k] ? 2 ** j : 0), 0);
      score += local[k]![mask]! - local[k]![0]!;
    }
    logR.push(beta * score);
  }
  return { logZ: logSumExp(logR), dags: logR.length };
}

function bitseqLogZ(m: number, k: number, beta: number): number {
  const n = m * k;
  const modes = [0, 1, 2, 3].map((q) =>
    Array.from({ length: n }, (_, i) => Math.floor(i / (q + 1)) % 2),
  );
  return logSumExp(
    sequences(n, 2).map((x) => {
      const d = Math.min(...modes.map((y) => x.filter((b, i) => b !== y[i]).length));
      return (-beta * d) / n;
    }),
  );
}

function phyloLogZ(temperature: number): { logZ: number; trees: number } {
  // Every rooted binary tree on 5 leaves, built by merging two trees of a forest at a time;
  // a tree is kept once, by its set of clades.
  const dna = [
    [0, 1, 2, 3, 0, 1, 2, 3, 0, 0, 1, 1],
    [0, 1, 2, 3, 0, 1, 2, 0, 0, 0, 1, 1],
    [0, 1, 1, 3, 0, 2, 2, 0, 3, 0, 1, 2],
    [2, 1, 1, 3, 0, 2, 2, 0, 3, 3, 1, 2],
    [2, 3, 1, 0, 0, 2, 1, 0, 3, 3, 2, 2],
  ];
  type Tree = number | [Tree, Tree];
  const trees = new Map<string, Tree>();
  const clades = (t: Tree): number[] =>
    typeof t === 'number'
      ? [2 ** t]
      : [...clades(t[0]), ...clades(t[1]), clades(t[0]).at(-1)! | clades(t[1]).at(-1)!];
  const grow = (forest: Tree[]): void => {
    if (forest.length === 1) {
      trees.set(
        clades(forest[0]!)
          .sort((a, b) => a - b)
          .join(','),
        forest[0]!,
      );
      return;
    }
    for (let i = 0; i < forest.length; i++)
      for (let j = i + 1; j < forest.length; j++)
        grow([...forest.filter((_, k) => k !== i && k !== j), [forest[i]!, forest[j]!]]);
  };
  grow([0, 1, 2, 3, 4]);
  // Fitch's algorithm, recursively on the nested tree.
  const fitch = (t: Tree, site: number): [number, number] => {
    if (typeof t === 'number') return [1 << dna[t]![site]!, 0];
    const [a, ca] = fitch(t[0], site);
    const [b, cb] = fitch(t[1], site);
    return a & b ? [a & b, ca + cb] : [a | b, ca + cb + 1];
  };
  const logR = [...trees.values()].map(
    (t) => -dna[0]!.reduce((s, _, site) => s + fitch(t, site)[1], 0) / temperature,
  );
  return { logZ: logSumExp(logR), trees: trees.size };
}

// [env, parameters, independent log Z, number of terminating objects]
const CASES: [string, Record<string, number>, () => { logZ: number; count: number }][] = [
  ['ising', { L: 3, coupling: 0.2 }, () => ({ logZ: isingLogZ(3, 0.2), count: 512 })],
  ['ising', { L: 2, coupling: -0.5 }, () => ({ logZ: isingLogZ(2, -0.5), count: 16 })],
  [
    'bayesnet',
    { beta: 1 },
    () => {
      const r = bayesnetLogZ(1);
      return { logZ: r.logZ, count: r.dags };
    },
  ],
  ['bitseq', { m: 4, k: 2, beta: 3 }, () => ({ logZ: bitseqLogZ(4, 2, 3), count: 256 })],
  ['bitseq', { m: 2, k: 3, beta: 5 }, () => ({ logZ: bitseqLogZ(2, 3, 5), count: 64 })],
  [
    'tfbind',
    { beta: 3 },
    () => ({
      logZ: logSumExp((script('tfbind-table.mjs') as number[]).map((v) => 3 * Math.log(v))),
      count: 4096,
    }),
  ],
  [
    'set',
    { n: 8, k: 4 },
    () => {
      const n = 8;
      const w = (i: number) => ((i * 37 + 11) % 17) / 8 - 1;
      const pair = (i: number, j: number) =>
        i === j ? 0 : ((i * 13 + j * 13 + i * j * 7) % 11) / 10 - 0.5;
      const logR = subsets(n)
        .filter((m) => popcount(m) === 4)
        .map((m) => {
          let s = 0;
          for (let i = 0; i < n; i++) {
            if (!has(m, i)) continue;
            s += w(i);
            for (let j = i + 1; j < n; j++) if (has(m, j)) s += pair(i, j);
          }
          return s;
        });
      return { logZ: logSumExp(logR), count: logR.length };
    },
  ],
  [
    'knapsack',
    { capacity: 20, temperature: 2 },
    () => {
      const weight = [5, 4, 6, 3, 7, 2, 8, 4, 5, 6];
      const value = [10, 8, 9, 5, 12, 3, 13, 6, 7, 9];
      const sum = (m: number, t: number[]) => t.reduce((s, v, i) => s + (has(m, i) ? v : 0), 0);
      const logR = subsets(10)
        .filter((m) => sum(m, weight) <= 20)
        .map((m) => sum(m, value) / 2);
      return { logZ: logSumExp(logR), count: logR.length };
    },
  ],
  [
    'mis',
    { temperature: 0.5 },
    () => {
      const rows = [
        '0100100100',
        '1010001000',
        '0101000010',
        '0010110000',
        '1001000001',
        '0001001001',
        '0100010100',
        '1000001010',
        '0010000101',
        '0000110010',
      ];
      const edge = (u: number, v: number) => rows[u]![v] === '1';
      const independent = (m: number) =>
        [...Array(10).keys()].every(
          (u) => !has(m, u) || [...Array(10).keys()].every((v) => !has(m, v) || !edge(u, v)),
        );
      const maximal = (m: number) =>
        [...Array(10).keys()].every((v) => has(m, v) || !independent(m | (1 << v)));
      const logR = subsets(10)
        .filter((m) => independent(m) && maximal(m))
        .map((m) => popcount(m) / 0.5);
      return { logZ: logSumExp(logR), count: logR.length };
    },
  ],
  [
    'prepend_append',
    { n: 5, beta: 4 },
    () => {
      const n = 5;
      const targets = [0, 1].map((q) => Array.from({ length: n }, (_, i) => (i * (q + 1) + q) % 4));
      const logR = sequences(n, 4).map(
        (x) => (-4 * Math.min(...targets.map((t) => x.filter((c, i) => c !== t[i]).length))) / n,
      );
      return { logZ: logSumExp(logR), count: logR.length };
    },
  ],
  [
    'phylo',
    { temperature: 1 },
    () => {
      const r = phyloLogZ(1);
      return { logZ: r.logZ, count: r.trees };
    },
  ],
];

describe.each(CASES)('the %s env with %j', (name, params, naive) => {
  const zoo = ZOO.find((z) => z.name === name)!;

  it('compiles, passes the model check, and its partition function matches brute force', async () => {
    const env = new zoo.EnvClass(params);
    const report = await checkSpecEnv(env);
    expect(report.violations).toEqual([]);
    expect(report.exhaustive).toBe(true);
    const expected = naive();
    expect(report.terminalStates).toBe(expected.count);
    expect(report.logZ!).toBeCloseTo(expected.logZ, 6);
  });
});

describe('MCMC on a zoo env where only some states terminate', () => {
  it("the chains' objects approach R/Z on the set env (4 of 8 items, 70 sets)", async () => {
    const env = new (ZOO.find((z) => z.name === 'set')!.EnvClass)();
    const chains = new McmcChains(env, { chains: 64, maxBack: 4, seed: 2 });
    const counts = new Map<string, number>();
    let n = 0;
    for (let t = 0; t < 300; t++) {
      const x = await chains.step();
      if (t < 50) continue;
      for (let i = 0; i < 64; i++) {
        const key = x.subarray(i * env.stateDim, (i + 1) * env.stateDim).join(',');
        counts.set(key, (counts.get(key) ?? 0) + 1);
        n += 1;
      }
    }
    const report = await checkSpecEnv(env);
    const all = subsets(8).filter((m) => popcount(m) === 4);
    const logR = await env.logReward(
      Int32Array.from(all.flatMap((m) => [...Array(8).keys()].map((i) => (has(m, i) ? 1 : 0)))),
      all.length,
    );
    let l1 = 0;
    all.forEach((m, j) => {
      const key = [...Array(8).keys()].map((i) => (has(m, i) ? 1 : 0)).join(',');
      l1 += Math.abs((counts.get(key) ?? 0) / n - Math.exp(logR[j]! - report.logZ!));
    });
    expect(l1).toBeLessThan(0.1);
  });
});

describe('the zoo', () => {
  it('registers nine envs, each with the paper it follows', () => {
    expect(ZOO.map((z) => z.name)).toEqual([
      'ising',
      'bayesnet',
      'bitseq',
      'tfbind',
      'set',
      'knapsack',
      'mis',
      'prepend_append',
      'phylo',
    ]);
    for (const z of ZOO) expect(z.source.length).toBeGreaterThan(10);
  });

  it('ships score tables that its scripts derive from its data', () => {
    for (const [table, spec] of [
      ['bayesnet-scores.mjs', 'bayesnet.gfn'],
      ['tfbind-table.mjs', 'tfbind.gfn'],
    ] as const) {
      execFileSync(process.execPath, [
        join(PACKAGE, 'scripts', table),
        '--check',
        join(PACKAGE, 'specs', spec),
      ]);
    }
  });

  it('keeps the env contract (conformance suite) for each env', async () => {
    for (const z of ZOO) await assertConformance(new z.EnvClass());
  }, 300_000);

  it("scores a tree's parsimony with Fitch's algorithm", () => {
    // Three species ((0, 1), 2): one site A A C needs one mutation; two sites 0 1 2 need two each.
    const clades = [0, 1, 1, 1, 1, 0, 0, 1];
    expect(parsimony(clades, [0, 0, 1])).toBe(1);
    expect(parsimony(clades, [0, 0, 1, 1, 2, 2])).toBe(4);
    expect(() => parsimony([0, 1, 1, 0, 1, 0, 0, 1], [0, 0, 1])).toThrow(/not a binary tree/);
  });
});
