import type { DiscreteEnv } from '@gflownet/core';
import { Rng } from '@gflownet/core';

/**
 * Batched env steps per second without a network: `batch` random rollouts (uniform over allowed
 * actions, exit included) again and again for `seconds`, each step what a sampler asks of the env
 * (forward mask, featurize, step) plus the log-reward of the states that stop. Rows that stop
 * start again from s0.
 */
export async function envStepsPerSecond(
  env: DiscreteEnv,
  batch: number,
  seconds: number,
): Promise<number> {
  const d = env.stateDim;
  const a = env.numActions;
  const rng = new Rng(12345);
  let states = new Int32Array(batch * d);
  let next = new Int32Array(batch * d);
  const mask = new Uint8Array(batch * a);
  const actions = new Int32Array(batch);
  const stopping: number[] = [];
  const features = new Float32Array(batch * env.featureDim);
  for (let i = 0; i < batch; i++) states.set(env.initialState, i * d);
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    env.forwardMask(states, batch, mask);
    env.featurize(states, batch, features);
    stopping.length = 0;
    for (let i = 0; i < batch; i++) {
      let allowed = 0;
      for (let k = 0; k < a; k++) allowed += mask[i * a + k]!;
      let pick = Math.floor(rng.next() * allowed);
      let choice = env.exitAction;
      for (let k = 0; k < a; k++) {
        if (mask[i * a + k] && pick-- === 0) {
          choice = k;
          break;
        }
      }
      if (choice === env.exitAction) stopping.push(i);
      actions[i] = choice;
    }
    if (stopping.length > 0) {
      const stopped = new Int32Array(stopping.length * d);
      stopping.forEach((i, j) => stopped.set(states.subarray(i * d, (i + 1) * d), j * d));
      await env.logReward(stopped, stopping.length);
    }
    const movable: number[] = [];
    for (let i = 0; i < batch; i++) if (actions[i] !== env.exitAction) movable.push(i);
    if (movable.length === batch) env.step(states, actions, batch, next);
    else {
      next.set(states);
      const from = new Int32Array(movable.length * d);
      const acts = new Int32Array(movable.length);
      movable.forEach((i, j) => {
        from.set(states.subarray(i * d, (i + 1) * d), j * d);
        acts[j] = actions[i]!;
      });
      const to = new Int32Array(movable.length * d);
      env.step(from, acts, movable.length, to);
      movable.forEach((i, j) => next.set(to.subarray(j * d, (j + 1) * d), i * d));
    }
    for (const i of stopping) next.set(env.initialState, i * d);
    [states, next] = [next, states];
    steps += batch;
  }
  return steps / ((performance.now() - start) / 1000);
}
