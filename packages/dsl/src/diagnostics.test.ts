import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHECK_DEFAULTS,
  checkFailed,
  checkSpecEnv,
  formatCheckReport,
} from './model-check/check-spec-env.js';
import { DIAGNOSTIC_CODES, type Diagnostic } from './diagnostics.js';
import { createSpecEnv } from './runtime/compile-spec.js';

const HEAD = 'env t\nparam n: int = 3 in 1..5\nstate { x: int[n] in 0..3 }\n';
const INC = 'action inc(d in 0..n-1) when x[d] < 3 do x[d] += 1\n';
const PARENT = 'parent inc(d in 0..n-1) when x[d] > 0 do x[d] -= 1\n';
const STOP = 'action done stop\n';
const REWARD = 'reward 1 + sum(d in 0..n-1: x[d])\n';
const VALID = HEAD + INC + PARENT + STOP + REWARD;

/** Line and column (1-based) of the first occurrence of `marker` at or after `from`. */
function at(source: string, marker: string, from = 0): { line: number; column: number } {
  const i = source.indexOf(marker, from);
  if (i < 0) throw new Error(`marker '${marker}' not in source`);
  const before = source.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function diagnose(source: string, params: Record<string, number> = {}): Diagnostic[] {
  return createSpecEnv(source, params).diagnostics.filter((d) => d.severity === 'error');
}

// [what, source, code, marker where the diagnostic must point (or 'spec' for the env name)]
const CASES: [string, string, string, string][] = [
  ['an unknown character', HEAD + INC + PARENT + STOP + 'reward 1 $ 2\n', 'E001', '$'],
  ['a stray semicolon', HEAD + INC.trimEnd() + ';\n' + PARENT + STOP + REWARD, 'E001', ';'],
  [
    'a missing do',
    HEAD + 'action inc(d in 0..n-1) when x[d] < 3 x[d] += 1\n' + PARENT + STOP + REWARD,
    'E002',
    'x[d] += 1',
  ],
  ['a reward without expression', HEAD + INC + PARENT + STOP + 'reward\n', 'E002', '@7:7'],
  ['an unclosed parenthesis', HEAD + INC + PARENT + STOP + 'reward (1 + 2\n', 'E002', '@7:14'],
  [
    'a field without in',
    'env t\nparam n: int = 3 in 1..5\nstate { x: int[n] 0..3 }\n' + INC + PARENT + STOP + REWARD,
    'E002',
    '0..3',
  ],
  [
    'a parameter without colon',
    'env t\nparam n int = 3 in 1..5\nstate { x: int[n] in 0..3 }\n' + INC + PARENT + STOP + REWARD,
    'E002',
    'int = 3',
  ],
  ['env without a name', 'env\nparam n: int = 3 in 1..5\n', 'E002', 'param'],
  ['a chained comparison', HEAD + INC + PARENT + STOP + 'reward 1 < 2 < 3\n', 'E002', '@7:14'],
  [
    'a binder without in',
    HEAD + 'action inc(d 0..n-1) when x[d] < 3 do x[d] += 1\n' + PARENT + STOP + REWARD,
    'E002',
    '0..n-1) when',
  ],
  ['a misspelt keyword', HEAD + INC + PARENT + STOP + 'rewards 1\n', 'E002', 'rewards'],
  ['an unknown name', HEAD + INC + PARENT + STOP + 'reward 1 + hieght\n', 'E101', 'hieght'],
  [
    'an unknown field in an effect',
    HEAD + INC + PARENT.replace('x[d] -= 1', 'y -= 1') + STOP + REWARD,
    'E101',
    'y -= 1',
  ],
  [
    'a duplicate parameter',
    HEAD + 'param n: int = 2\n' + INC + PARENT + STOP + REWARD,
    'E102',
    'n: int = 2',
  ],
  [
    'a duplicate action',
    HEAD + INC + PARENT + STOP + 'action done stop\n' + REWARD,
    'E102',
    'done stop\nreward',
  ],
  [
    'a binder that shadows a parameter',
    HEAD + INC + PARENT + STOP + 'reward sum(n in 0..2: 1)\n',
    'E102',
    'n in 0..2',
  ],
  ['an unknown function', HEAD + INC + PARENT + STOP + 'reward foo(1)\n', 'E103', 'foo'],
  [
    'an unknown aggregate',
    HEAD + INC + PARENT + STOP + 'reward avg(d in 0..n-1: x[d])\n',
    'E103',
    'avg',
  ],
  ['a let named like a built-in', VALID + 'let sum = 1\n', 'E104', 'sum = 1'],
  [
    'a guard that is a number',
    HEAD + 'action inc(d in 0..n-1) when x[d] + 1 do x[d] += 1\n' + PARENT + STOP + REWARD,
    'E201',
    'x[d] + 1',
  ],
  [
    "'and' on numbers",
    HEAD + INC + PARENT + 'action done when n and 1 stop\n' + REWARD,
    'E201',
    'n and',
  ],
  [
    'a float into an int field',
    HEAD + INC.replace('x[d] += 1', 'x[d] = 0.5') + PARENT + STOP + REWARD,
    'E201',
    '0.5',
  ],
  [
    'if branches of different types',
    HEAD + INC + PARENT + STOP + 'reward if x[0] > 0 then 1 else true\n',
    'E201',
    'if',
  ],
  [
    'a built-in with two arguments',
    HEAD + INC + PARENT + STOP + 'reward abs(1, 2)\n',
    'E202',
    'abs',
  ],
  [
    'a let function with the wrong arity',
    HEAD + INC + PARENT + STOP + 'let f(a) = a + 1\nreward f(1, 2)\n',
    'E202',
    'f(1, 2)',
  ],
  ['indexing a parameter', HEAD + INC + PARENT + STOP + 'reward 1 + n[0]\n', 'E203', 'n[0]'],
  ['an array used as a number', HEAD + INC + PARENT + STOP + 'reward x + 1\n', 'E204', 'x + 1'],
  [
    'an effect on a parameter',
    HEAD + INC.replace('x[d] += 1', 'n += 1') + PARENT + STOP + REWARD,
    'E205',
    'n += 1',
  ],
  [
    'push on an array',
    HEAD + INC.replace('x[d] += 1', 'x.push(1)') + PARENT + STOP + REWARD,
    'E206',
    'push',
  ],
  ['no state', 'env t\naction done stop\nreward 1\n', 'E301', 'spec'],
  ['no reward', HEAD + INC + PARENT + STOP, 'E302', 'spec'],
  ['two rewards', VALID + 'reward 2\n', 'E303', 'reward 2'],
  ['no way to terminate', HEAD + INC + PARENT + REWARD, 'E304', 'spec'],
  ['two stop actions', VALID + 'action quit stop\n', 'E305', 'quit'],
  ['a parent rule for no action', VALID + 'parent dec(d in 0..n-1) do x[d] += 1\n', 'E306', 'dec'],
  ['an action without parent rule', HEAD + INC + STOP + REWARD, 'E307', 'inc'],
  ['a parent rule for the stop action', VALID + 'parent done do x[0] += 0\n', 'E308', 'done do'],
  [
    'parent parameters that differ',
    HEAD + INC + 'parent inc when x[0] > 0 do x[0] -= 1\n' + STOP + REWARD,
    'E309',
    'inc when',
  ],
  ['two parent rules', VALID + PARENT, 'E310', 'inc(d in 0..n-1) when x[d] > 0'],
  [
    'an extern in a guard',
    HEAD +
      'extern score(v: int): float\naction inc(d in 0..n-1) when score(d) > 0 do x[d] += 1\n' +
      PARENT +
      STOP +
      REWARD,
    'E311',
    'score(d)',
  ],
  [
    'a recursive let',
    HEAD + INC + PARENT + STOP + 'let a = b + 1\nlet b = a + 1\nreward a\n',
    'E312',
    'a = b',
  ],
  ['init of a missing field', VALID + 'init y = 0\n', 'E313', 'y = 0'],
  [
    'a field written twice',
    HEAD + INC.replace('x[d] += 1', 'x[d] += 1, x[d] += 1') + PARENT + STOP + REWARD,
    'E314',
    'x[d] += 1\n',
  ],
  ['a parameter out of its range', VALID, 'E401', 'n: int'],
  [
    'an empty field range',
    'env t\nparam n: int = 3 in 1..5\nstate { x: int[n] in 3..0 }\n' + INC + PARENT + STOP + REWARD,
    'E404',
    'x: int',
  ],
  ['a table of the wrong size', VALID + 'const w: float[4] = [1, 2, 3]\n', 'E405', '[1, 2, 3]'],
  [
    'an index that can leave its array',
    HEAD + INC.replace('x[d] += 1', 'x[d + 1] += 1') + PARENT + STOP + REWARD,
    'E406',
    'd + 1',
  ],
  ['an initial value out of range', VALID + 'init x = 7\n', 'E407', '7'],
  [
    'an extern without implementation',
    HEAD + 'extern score(v: int): float\n' + INC + PARENT + STOP + 'reward score(1)\n',
    'E408',
    'score(v',
  ],
  [
    'a size that depends on the state',
    'env t\nparam n: int = 3 in 1..5\nstate { x: int[n] in 0..3, y: int[x] in 0..1 }\n' +
      INC +
      PARENT +
      STOP +
      REWARD,
    'E409',
    'x] in 0..1',
  ],
];

describe('diagnostics of malformed specs', () => {
  it('starts from a valid spec', () => {
    expect(diagnose(VALID)).toEqual([]);
  });

  it.each(CASES)('%s', (_what, source, code, marker) => {
    const params: Record<string, number> = code === 'E401' ? { n: 9 } : {};
    const diags = diagnose(source, params);
    const where =
      marker === 'spec'
        ? { line: 1, column: 5 }
        : marker.startsWith('@')
          ? { line: Number(marker.slice(1).split(':')[0]), column: Number(marker.split(':')[1]) }
          : at(
              source,
              marker,
              marker === 'inc(d in 0..n-1) when x[d] > 0' ? source.lastIndexOf('parent') : 0,
            );
    expect(diags.map((d) => d.code)).toContain(code);
    const d = diags.find((x) => x.code === code)!;
    expect({ line: d.line, column: d.column }).toEqual(where);
    expect(d.message.length).toBeGreaterThan(10);
  });

  it('takes 0 and 1 in a bool table, and reports a table of wrong entries once', () => {
    const table = (rows: string) =>
      diagnose(
        `${HEAD}const adj: bool[2][2] = ${rows}\n${INC}${PARENT}${STOP}reward 1 + adj[0][1]\n`,
      );
    expect(table('[[0, 1], [true, false]]')).toEqual([]);
    const wrong = table('[[2, 1], [3, 4]]');
    expect(wrong.map((d) => d.code)).toEqual(['E201']);
    expect(wrong[0]!.message).toBe(
      "'adj' holds bool values, not int (3 entries; this is the first); write true/false, or 0/1",
    );
  });

  it('says that comparisons do not chain, and that = does not compare', () => {
    const chained = diagnose(HEAD + INC + PARENT + STOP + 'reward 1 + (2 < 3) < 4 < 5\n');
    expect(chained[0]!.message).toContain(
      "comparisons do not chain: write 'a < b and b < c', not 'a < b < c'",
    );
    const guard = diagnose(
      HEAD + 'action inc(d in 0..n-1) when x[d] = 0 do x[d] += 1\n' + PARENT + STOP + REWARD,
    );
    expect(guard[0]!.message).toBe(
      "expected 'do' or 'stop', found '='; to compare two values, write '=='",
    );
    // A comparison after another expression's is no chain.
    const parenthesized = diagnose(
      HEAD + INC + PARENT + STOP + 'reward if (1 < 2) < then 1 else 2\n',
    );
    expect(parenthesized[0]!.message).not.toContain('chain');
  });

  it('reports several syntax errors in one pass', () => {
    const diags = diagnose(
      HEAD +
        'action inc(d in 0..n-1) when x[d] < do x[d] += 1\n' +
        PARENT +
        STOP +
        'reward 1 + * 2\n',
    );
    expect(diags.filter((d) => d.code === 'E002').length).toBeGreaterThanOrEqual(2);
  });

  it('names an unknown parameter and a non-integer one at instantiation', () => {
    expect(diagnose(VALID, { m: 1 }).map((d) => d.code)).toContain('E402');
    expect(diagnose(VALID, { nn: 1 })[0]!.message).toBe(
      "unknown parameter 'nn' (parameters: n); did you mean 'n'?",
    );
    expect(diagnose(VALID, { n: 2.5 }).map((d) => d.code)).toContain('E403');
  });
});

/** The valid spec with a decrement action as well: states can be reached again. */
const CYCLE =
  HEAD +
  INC +
  PARENT +
  'action dec(d in 0..n-1) when x[d] > 0 do x[d] -= 1\nparent dec(d in 0..n-1) when x[d] < 3 do x[d] += 1\n' +
  STOP +
  REWARD;

async function violations(source: string): Promise<string[]> {
  const { env, diagnostics } = createSpecEnv(source);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const report = await checkSpecEnv(env!);
  return report.violations.map((v) => `${v.code} ${v.state}`);
}

describe('model-check failures', () => {
  it('passes the valid spec', async () => {
    expect(await violations(VALID)).toEqual([]);
  });

  it('finds a missing parent (C501)', async () => {
    const v = await violations(HEAD + INC + PARENT.replace('x[d] > 0', 'x[d] > 1') + STOP + REWARD);
    expect(v).toContain('C501 x=[1, 0, 0]');
  });

  it('finds an extra parent (C502)', async () => {
    const v = await violations(
      HEAD + INC + PARENT.replace('x[d] > 0', 'x[d] >= 0') + STOP + REWARD,
    );
    expect(v.some((x) => x.startsWith('C502 x=[0, 0, 0]'))).toBe(true);
  });

  it('finds a cycle (C503)', async () => {
    expect((await violations(CYCLE)).some((x) => x.startsWith('C503'))).toBe(true);
  });

  it('finds a state outside the schema (C504)', async () => {
    const v = await violations(HEAD + INC.replace('x[d] < 3', 'x[d] < 4') + PARENT + STOP + REWARD);
    expect(v.some((x) => x.startsWith('C504') && x.includes('4'))).toBe(true);
  });

  it('finds a dead end (C505)', async () => {
    const source =
      HEAD +
      INC.replace('x[d] < 3', 'x[d] < 2') +
      PARENT +
      'terminal when sum(d in 0..n-1: x[d]) == 9\n' +
      REWARD;
    expect(await violations(source)).toContain('C505 x=[2, 2, 2]');
  });

  it('finds a reward that is not positive (C506)', async () => {
    const v = await violations(HEAD + INC + PARENT + STOP + 'reward sum(d in 0..n-1: x[d])\n');
    expect(v).toContain('C506 x=[0, 0, 0]');
  });
});

describe('what gfn check reports', () => {
  // 39,203 reachable states: more than the limits below, so the check falls back to walks (with
  // 40 items choosing 20, as first reported, undefined options made it run out of memory).
  const BIG = `env big
state { chosen: bool[16] }
init chosen = false
action add(i in 0..15) when not chosen[i] do chosen[i] = true
parent add(i in 0..15) when chosen[i] do chosen[i] = false
terminal when count(i in 0..15: chosen[i]) == 8
reward 1.5
`;
  const check = async (source: string, options: Parameters<typeof checkSpecEnv>[1]) => {
    const { env, diagnostics } = createSpecEnv(source);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return checkSpecEnv(env!, options);
  };

  it('keeps the defaults of options given as undefined (as the CLI passes unset flags)', async () => {
    const report = await check(BIG, { limit: 1000, walks: undefined, seed: undefined });
    expect(report.walks).toBe(CHECK_DEFAULTS.walks);
    expect(report.states).toBeGreaterThan(1000);
  });

  it('never says ok when it examined nothing', async () => {
    const report = await check(BIG, { limit: 10, walks: 0 });
    expect(report.violations.map((v) => v.code)).toContain('C509');
    expect(checkFailed(report)).toBe(true);
    expect(formatCheckReport(report, 'big.gfn')).not.toContain('ok:');
  });

  it('prints no partition function for a space with a cycle', async () => {
    const report = await check(CYCLE, {});
    expect(report.logZ).toBeNull();
    expect(formatCheckReport(report, 'cycle.gfn')).not.toContain('partition function');
  });

  it('counts every violation found, not only the ones shown', async () => {
    const report = await check(
      HEAD + INC + PARENT + STOP + 'reward sum(d in 0..n-1: x[d]) - 2\n',
      {},
    );
    const found = report.violationCounts['C506']!;
    expect(found).toBeGreaterThan(5);
    expect(report.violations.filter((v) => v.code === 'C506')).toHaveLength(5);
    expect(formatCheckReport(report, 'r.gfn')).toContain(`${found} violation(s) (5 shown)`);
  });
});

describe('docs/spec-language.md', () => {
  it('lists every diagnostic code', () => {
    const doc = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'docs', 'spec-language.md'),
      'utf8',
    );
    const missing = Object.keys(DIAGNOSTIC_CODES).filter((code) => !doc.includes(`| ${code} |`));
    expect(missing).toEqual([]);
  });
});
