/**
 * Speed of the compiled spec against the hand-written hypergrid: batched env steps per second,
 * where one step of a batch is what a sampler does per transition (forward mask, action choice,
 * step, featurize) plus the log-reward of the states that stop. Prints figures; asserts nothing.
 *
 *   pnpm bench:dsl [--batch N] [--seconds S]
 */
import type { DiscreteEnv } from '@gflownet/core';
import { HypergridEnv } from '@gflownet/core/testing';
import { HypergridSpecEnv } from '../module.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const batch = Number(flag('batch') ?? 1024);
const seconds = Number(flag('seconds') ?? 2);

/** Rolls out `batch` random trajectories again and again for `seconds`; returns state-steps/s. */
async function stepsPerSecond(env: DiscreteEnv): Promise<number> {
  const d = env.stateDim;
  const a = env.numActions;
  let states = new Int32Array(batch * d);
  let next = new Int32Array(batch * d);
  const mask = new Uint8Array(batch * a);
  const actions = new Int32Array(batch);
  const features = new Float32Array(batch * env.featureDim);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const reset = () => {
    for (let i = 0; i < batch; i++) states.set(env.initialState, i * d);
  };
  reset();
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    env.forwardMask(states, batch, mask);
    env.featurize(states, batch, features);
    let stopped = 0;
    for (let i = 0; i < batch; i++) {
      // Stop with probability 1/(2d) where allowed, else a random allowed move.
      const exitOk = mask[i * a + env.exitAction] === 1;
      let choice = env.exitAction;
      if (!exitOk || random() > 1 / (2 * d)) {
        const allowed: number[] = [];
        for (let k = 0; k < a; k++) if (mask[i * a + k] && k !== env.exitAction) allowed.push(k);
        if (allowed.length > 0) choice = allowed[Math.floor(random() * allowed.length)]!;
      }
      if (choice === env.exitAction) stopped++;
      actions[i] = choice === env.exitAction ? -1 : choice;
    }
    if (stopped > 0) await env.logReward(states, batch);
    for (let i = 0; i < batch; i++) if (actions[i] === -1) actions[i] = 0;
    env.step(states, actions, batch, next);
    for (let i = 0; i < batch; i++) {
      const row = next.subarray(i * d, (i + 1) * d);
      env.forwardMask(row, 1, mask.subarray(0, a));
      if (!mask.subarray(0, a).some((m, k) => m && k !== env.exitAction)) row.set(env.initialState);
    }
    [states, next] = [next, states];
    steps += batch;
    if (steps % (batch * 64) === 0) reset();
  }
  return steps / ((performance.now() - start) / 1000);
}

console.log(`batched env steps per second (batch ${batch}, ${seconds} s each; higher is better)`);
console.log('grid       hand-written     spec   spec/hand');
for (const [ndim, height] of [
  [2, 8],
  [4, 8],
]) {
  const params = { ndim: ndim!, height: height!, r0: 0.1, r1: 0.5, r2: 2 };
  const hand = await stepsPerSecond(new HypergridEnv(params));
  const spec = await stepsPerSecond(new HypergridSpecEnv(params));
  const name = `${ndim}D H${height}`.padEnd(8);
  console.log(
    `${name} ${(hand / 1e6).toFixed(2).padStart(9)} M/s ${(spec / 1e6).toFixed(2).padStart(6)} M/s ${(spec / hand).toFixed(2).padStart(7)}x`,
  );
}
