import { UserError } from '@gflownet/core';
import { checkSpecEnv } from './model-check/check-spec-env.js';
import type { SpecEnv } from './runtime/spec-env.js';
import { createSpecEnv } from './runtime/compile-spec.js';
import type { ExternFunction } from './codegen/instantiate-spec.js';

function compile(
  source: string,
  params: Record<string, number> = {},
  externs: Record<string, ExternFunction> = {},
): SpecEnv {
  const { env, diagnostics } = createSpecEnv(source, params, { externs });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return env!;
}

function errors(source: string, params: Record<string, number> = {}): string[] {
  return createSpecEnv(source, params)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`);
}

/** The state after applying the forward actions named (e.g. 'append(1)') from the initial one. */
function walk(env: SpecEnv, ...names: string[]): Int32Array {
  let s = env.initialState.slice();
  for (const name of names) {
    const a = [...Array(env.numActions).keys()].find((i) => env.actionName(i) === name);
    if (a === undefined) throw new Error(`no action ${name}`);
    const next = new Int32Array(env.stateDim);
    env.step(s, Int32Array.of(a), 1, next);
    s = next;
  }
  return s;
}

describe('multi-dimensional state arrays', () => {
  const DAG = `env dag
param d: int = 3 in 2..5
state { e: bool[d][d] }
action add(i in 0..d-1, j in 0..d-1) when i != j and not e[i][j] and not reach(e, j, i) do e[i][j] = true
parent add(i in 0..d-1, j in 0..d-1) when e[i][j] do e[i][j] = false
action done stop
reward 1 + count(i in 0..d-1, j in 0..d-1: e[i][j])
`;

  it('index by row and column, and reach() keeps the graph acyclic for any size', async () => {
    // Labelled DAGs on 3, 4 and 5 nodes: 25, 543, 29281 (OEIS A003024).
    for (const [d, dags] of [
      [3, 25],
      [4, 543],
    ] as const) {
      const report = await checkSpecEnv(compile(DAG, { d }));
      expect(report.violations).toEqual([]);
      expect(report.terminalStates).toBe(dags);
    }
  });

  it('writes nested lists by field', () => {
    const env = compile(DAG);
    expect(env.stateFields(walk(env, 'add(0, 2)'))).toEqual({
      e: [
        [false, false, true],
        [false, false, false],
        [false, false, false],
      ],
    });
    expect(env.describe(walk(env, 'add(1, 0)'))).toBe(
      'e=[[false, false, false], [true, false, false], [false, false, false]]',
    );
  });

  it('asks for one index per dimension', () => {
    const wrong = DAG.replace('do e[i][j] = true', 'do e[i] = true');
    expect(errors(wrong)[0]).toMatch(/^E203 .* 'e' has 2 dimensions; give 2 indices/);
  });

  it('reach needs a square bool matrix field', () => {
    const notBool = DAG.replace('bool[d][d]', 'int[d][d] in 0..1')
      .replace('not e[i][j] and', 'e[i][j] == 0 and')
      .replace('e[i][j] = true', 'e[i][j] = 1')
      .replace('when e[i][j] do e[i][j] = false', 'when e[i][j] == 1 do e[i][j] = 0')
      .replace(
        'count(i in 0..d-1, j in 0..d-1: e[i][j])',
        'sum(i in 0..d-1, j in 0..d-1: e[i][j])',
      );
    expect(errors(notBool)[0]).toMatch(
      /^E201 .*'reach' needs a state field declared bool\[n\]\[n\]/,
    );
  });
});

describe('sequence insert, remove and for loops', () => {
  const PA = `env pa
param n: int = 3 in 1..6
state { s: seq[n] of 0..2 }
action append(v in 0..2) when len(s) < n do s.push(v)
action prepend(v in 0..2) when len(s) < n do s.insert(0, v)
parent append(v in 0..2) when len(s) > 0 and last(s) == v do s.pop()
parent prepend(v in 0..2) when len(s) > 0 and s[0] == v do s.remove(0)
terminal when len(s) == n
reward 1 + s[0]
`;

  it('prepend and append reach every sequence, each from two parents', async () => {
    const env = compile(PA);
    expect(env.stateFields(walk(env, 'append(1)', 'prepend(2)', 'append(0)'))).toEqual({
      s: [2, 1, 0],
    });
    const report = await checkSpecEnv(env);
    expect(report.violations).toEqual([]);
    expect(report.terminalStates).toBe(27);
  });

  it('inserts and removes in the middle', () => {
    const MID = `env mid
state { s: seq[4] of 0..9 }
init s = [1, 2, 3]
action put(i in 0..3) when len(s) < 4 and i <= len(s) do s.insert(i, 7)
parent put(i in 0..3) when i < len(s) and s[i] == 7 do s.remove(i)
terminal when len(s) == 4
reward 1
`;
    const env = compile(MID);
    const s = walk(env, 'put(1)');
    expect(env.stateFields(s)).toEqual({ s: [1, 7, 2, 3] });
    const back = new Int32Array(env.stateDim);
    env.backwardStep(s, Int32Array.of(1), 1, back);
    expect(env.stateFields(back)).toEqual({ s: [1, 2, 3] });
  });

  it('a for loop writes from the state before the action', () => {
    const SHIFT = `env shift
param n: int = 4 in 2..8
state { x: int[n] in 0..9, t: int in 0..3 }
init x = [1, 2, 3, 4]
action rotate when t < 3 do for i in 0..n-1 { x[i] = x[(i + 1) % n] }, t += 1
parent rotate when t > 0 do for i in 0..n-1 { x[(i + 1) % n] = x[i] }, t -= 1
terminal when t == 3
reward 1
`;
    const env = compile(SHIFT);
    expect(env.stateFields(walk(env, 'rotate'))).toEqual({ x: [2, 3, 4, 1], t: 1 });
  });

  it('names a method sequences lack, and a wrong number of arguments', () => {
    expect(errors(PA.replace('s.insert(0, v)', 's.prepend(v)'))[0]).toMatch(
      /^E206 .*sequences have no method 'prepend'; they have push, pop, insert, remove/,
    );
    expect(errors(PA.replace('s.insert(0, v)', 's.insert(v)'))[0]).toMatch(
      /^E202 .*'insert' takes 2 arguments, not 1/,
    );
  });

  it('flags a position that can leave the sequence', () => {
    const bad = PA.replace('s.insert(0, v)', 's.insert(v + 2, v)');
    expect(errors(bad)[0]).toMatch(/^E406 .*position in 's' can be 2..4; 's' has positions 0..3/);
  });
});

describe('computed tables', () => {
  it('table(...) fills a table from an expression; a single value fills every entry', () => {
    const SPEC = `env t
param n: int = 3 in 1..6
const pw: int[n] = table(i in 0..n-1: 2^i)
const grid: float[n][n] = table(i in 0..n-1, j in 0..n-1: i * 10 + j)
const zero: int[n][2] = 0
state { b: bool[n] }
action set(i in 0..n-1) when not b[i] do b[i] = true
parent set(i in 0..n-1) when b[i] do b[i] = false
action done stop
reward 1 + grid[n - 1][n - 1] + zero[0][1] + sum(i in 0..n-1: b[i] * pw[i])
`;
    const env = compile(SPEC, { n: 3 });
    const s = walk(env, 'set(2)');
    const logR = env.logReward(s, 1) as Float64Array;
    expect(Math.exp(logR[0]!)).toBeCloseTo(1 + 22 + 0 + 4, 9);
  });

  it('rejects table(...) outside a constant and a table of the wrong rank', () => {
    const base = `env t
const w: int[3][3] = table(i in 0..2: i)
state { b: bool[3] }
action set(i in 0..2) when not b[i] do b[i] = true
parent set(i in 0..2) when b[i] do b[i] = false
action done stop
reward 1 + sum(i in 0..2: table(j in 0..2: j)[i])
`;
    const e = errors(base);
    expect(
      e.some((x) => /^E405 .*'w' needs 2 more dimension\(s\) here; 'table' gives 1/.test(x)),
    ).toBe(true);
    expect(e.some((x) => /^E201 .*'table\(\.\.\.\)' computes a constant table/.test(x))).toBe(true);
  });
});

describe('range narrowing', () => {
  const SEQ = `env r
param n: int = 4 in 1..6
const w: float[4] = [0.5, 1, 1.5, 2]
state { s: seq[n] of 0..3 }
action add(v in 0..3) when len(s) < n and (len(s) == 0 or w[s[len(s) - 1]] > 0) do s.push(v)
parent add(v in 0..3) when len(s) > 0 and s[len(s) - 1] == v do s.pop()
terminal when len(s) == n
const values: float[4^n] = table(i in 0..4^n-1: 1 + i % 5)
reward values[sum(i in 0..n-1: s[i] * 4^i)] + sum(i in 0..n-1: i < len(s) and w[s[i]] > 1) + w[last(s)]
`;

  it('uses guards, and/or, terminal when and base-k sums, so no clamp is needed', async () => {
    const env = compile(SEQ);
    const report = await checkSpecEnv(env);
    expect(report.violations).toEqual([]);
  });

  it('still reports an index that can really leave its array', () => {
    // Without `len(s) == 0 or`, s[len(s) - 1] reads index -1 in the empty sequence.
    const bad = SEQ.replace('(len(s) == 0 or w[s[len(s) - 1]] > 0)', 'w[s[len(s) - 1]] > 0');
    const e = errors(bad);
    expect(e.some((x) => /^E406 .*index into 's' can be -1\.\.2/.test(x))).toBe(true);
    // Without `terminal when`, the reward can read an unused slot (-1) as an index into w.
    const open = SEQ.replace('terminal when len(s) == n', 'action done stop');
    expect(errors(open).some((x) => /^E406 .*index into 'values'/.test(x))).toBe(true);
  });
});

describe('runtime errors of a spec name the rule, its arguments and the state', () => {
  it('a value leaving its range', () => {
    // No guard on inc: x[0] can go past 3.
    const SPEC = `env t
state { x: int[2] in 0..3 }
action inc(d in 0..1) do x[d] += 1
parent inc(d in 0..1) when x[d] > 0 do x[d] -= 1
action done stop
reward 1
`;
    const env = compile(SPEC);
    const s = walk(env, 'inc(0)', 'inc(0)', 'inc(0)');
    expect(() => walk(env, 'inc(0)', 'inc(0)', 'inc(0)', 'inc(0)')).toThrow(UserError);
    const next = new Int32Array(env.stateDim);
    expect(() => env.step(s, Int32Array.of(0), 1, next)).toThrow(
      "env 't': inc(0) cannot be applied in state x=[3, 0] (sets x[0] to 4, outside 0..3)",
    );
  });
});

describe('externs in guards and mode', () => {
  const SPEC = (det: string) => `env x
extern ok(i: int): int ${det}
extern key(b: bool[]): int
state { b: bool[3] }
action set(i in 0..2) when not b[i] and ok(i) == 1 do b[i] = true
parent set(i in 0..2) when b[i] do b[i] = false
action done stop
reward 1 + count(i in 0..2: b[i])
mode when count(i in 0..2: b[i]) == 2 by key(b)
`;

  it('a guard may call an extern declared deterministic; mode may call any', async () => {
    const env = compile(
      SPEC('deterministic'),
      {},
      {
        ok: (i) => ((i as number) === 1 ? 0 : 1),
        key: (b) => (b as number[]).indexOf(0),
      },
    );
    const report = await checkSpecEnv(env);
    expect(report.violations).toEqual([]);
    // set(1) is never allowed: sets {}, {0}, {2}, {0,2}.
    expect(report.terminalStates).toBe(4);
    expect(env.numModes).toBe(1);
  });

  it('a guard may not call one that is not declared deterministic', () => {
    expect(errors(SPEC(''))[0]).toMatch(
      /^E311 .*declare it 'extern ok\(\.\.\.\): int deterministic' to call it in a guard/,
    );
  });

  it('a guard extern that returns a promise is a user error', () => {
    const env = compile(
      SPEC('deterministic'),
      {},
      {
        ok: async () => 1,
        key: () => 0,
      },
    );
    const mask = new Uint8Array(env.numActions);
    expect(() => env.forwardMask(env.initialState, 1, mask)).toThrow(
      /extern 'ok' returned a promise in a guard or 'mode'/,
    );
  });
});
