import { UserError } from '@gflownet/core';
import { checkedLogReward } from '@gflownet/core/env';
import { ModeTracker } from '@gflownet/core/metrics';
import { checkSpecEnv } from '../model-check/check-spec-env.js';
import { compileSpec, createSpecEnv } from './compile-spec.js';

// Choose 2 of 4 items: 6 terminating sets; item 0 chosen in 3 of them.
const SUBSET = `env pairs
state { chosen: bool[4] }
action add(i in 0..3) when not chosen[i] do chosen[i] = true
parent add(i in 0..3) when chosen[i] do chosen[i] = false
terminal when count(i in 0..3: chosen[i]) == 2
reward 1 + chosen[0]
`;

function envOf(mode: string) {
  const { EnvClass, diagnostics } = compileSpec(`${SUBSET}${mode}\n`);
  expect(diagnostics).toEqual([]);
  return new EnvClass!();
}

describe('mode when', () => {
  it('without by, counts each state the condition holds in as a mode of its own', () => {
    const env = envOf('mode when chosen[0]');
    expect(env.numModes).toBe(3);
    const tracker = new ModeTracker(env);
    tracker.observe(Int32Array.from([1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0]), 4);
    expect(tracker.found).toBe(2);
  });

  it('with by, counts the states that share a key as one mode', () => {
    const env = envOf('mode when chosen[0] by chosen[1] + chosen[2]');
    expect(env.numModes).toBe(2);
  });
});

describe('a reward that is not positive', () => {
  const NEGATIVE = `env neg
state { chosen: bool[3] }
action add(i in 0..2) when not chosen[i] do chosen[i] = true
parent add(i in 0..2) when chosen[i] do chosen[i] = false
terminal when count(i in 0..2: chosen[i]) == 1
reward 1 - 2 * chosen[0]
`;

  it('is reported by its value, not as the NaN of its log', async () => {
    const { EnvClass } = compileSpec(NEGATIVE);
    const env = new EnvClass!();
    const report = await checkSpecEnv(env);
    expect(report.violations.map((v) => v.message)).toContain(
      'the reward is -1; it must be positive and finite',
    );
    await expect(checkedLogReward(env, Int32Array.from([1, 0, 0]), 1)).rejects.toThrow(
      "env 'neg': the reward of state chosen=[true, false, false] is -1; rewards must be positive and finite",
    );
  });
});

describe('an extern that throws', () => {
  it('is a user error naming the extern and its arguments, not a stack trace', async () => {
    const source = `env ext
extern score(v: int): float
state { chosen: bool[3] }
action add(i in 0..2) when not chosen[i] do chosen[i] = true
parent add(i in 0..2) when chosen[i] do chosen[i] = false
terminal when count(i in 0..2: chosen[i]) == 1
reward score(count(i in 0..2: chosen[i]) + 1)
`;
    const { env } = createSpecEnv(
      source,
      {},
      {
        externs: {
          score: () => {
            throw new Error('the docking server is down');
          },
        },
      },
    );
    const rejected = Promise.resolve(env!.logReward(Int32Array.from([0, 1, 0]), 1));
    await expect(rejected).rejects.toBeInstanceOf(UserError);
    await expect(rejected).rejects.toThrow(
      "extern 'score' failed on arguments [2]: the docking server is down",
    );
  });
});

describe('stateFields', () => {
  it('names each field: scalars, bools as booleans, sequences without their unused slots', () => {
    const { EnvClass } = compileSpec(`env mix
state { n: int in 0..2, flag: bool, s: seq[3] of 0..1, b: bool[2] }
init s = []
action append(v in 0..1) when len(s) < 3 do s.push(v)
parent append(v in 0..1) when len(s) > 0 and last(s) == v do s.pop()
terminal when len(s) == 3
reward 1
`);
    const env = new EnvClass!();
    // n, flag, then the sequence's length and its three slots (unused ones hold -1), then b.
    const state = Int32Array.from([2, 1, 2, 1, 0, -1, 0, 1]);
    expect(env.stateFields(state)).toEqual({ n: 2, flag: true, s: [1, 0], b: [false, true] });
    expect(JSON.stringify(env.stateFields(env.initialState))).toBe(
      '{"n":0,"flag":false,"s":[],"b":[false,false]}',
    );
  });
});

describe('a rule that cannot be applied at run time', () => {
  it('is a user error naming the env, the action with its arguments and the state', () => {
    const { EnvClass } = compileSpec(`env overflow
state { s: seq[2] of 0..1 }
init s = []
action append(v in 0..1) do s.push(v)
parent append(v in 0..1) when len(s) > 0 and last(s) == v do s.pop()
terminal when len(s) == 2
reward 1
`);
    const env = new EnvClass!();
    // Row 0 is full (length 2, items 0 and 1); row 1 is empty.
    const full = Int32Array.from([2, 0, 1, 0, -1, -1]);
    let thrown: unknown = null;
    try {
      env.step(full, Int32Array.from([0, 1]), 2, new Int32Array(6));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as Error).message).toMatch(
      /^env 'overflow': append\(0\) cannot be applied in state s=\[0, 1\] \(push onto full sequence 's'\); the spec lets it be chosen there: add a guard/,
    );
  });
});
