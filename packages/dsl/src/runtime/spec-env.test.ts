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
      "env 'neg': the reward of state [1, 0, 0] is -1; rewards must be positive and finite",
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
