import { HypergridEnv, allGridStates as allStates } from '@gflownet/core/testing';
import { HypergridSpecEnv } from './module.js';

/** Sorted "parent|action" strings, so parents compare as sets. */
function parentSet(p: { states: Int32Array; actions: Int32Array }, d: number): string[] {
  return Array.from(
    p.actions,
    (a, j) => `${p.states.subarray(j * d, (j + 1) * d).join(',')}|${a}`,
  ).sort();
}

describe.each([
  [1, 5],
  [2, 8],
  [3, 4],
  [4, 3],
  [2, 2],
])('hypergrid.gfn equals the hand-written env (ndim %i, height %i)', (ndim, height) => {
  const params = { ndim, height, r0: 0.1, r1: 0.5, r2: 2 };
  const ref = new HypergridEnv(params);
  const spec = new HypergridSpecEnv(params);
  const states = allStates(ndim, height);
  const n = height ** ndim;

  it('has the same sizes and initial state', () => {
    expect([
      spec.stateDim,
      spec.numActions,
      spec.exitAction,
      spec.numBackwardActions,
      spec.featureDim,
    ]).toEqual([
      ref.stateDim,
      ref.numActions,
      ref.exitAction,
      ref.numBackwardActions,
      ref.featureDim,
    ]);
    expect(Array.from(spec.initialState)).toEqual(Array.from(ref.initialState));
    expect(spec.maxTrajectoryLength).toBe(ref.maxTrajectoryLength);
  });

  it('has the same masks, features and rewards on every state', async () => {
    const m1 = new Uint8Array(n * ref.numActions);
    const m2 = new Uint8Array(n * ref.numActions);
    ref.forwardMask(states, n, m1);
    spec.forwardMask(states, n, m2);
    expect(m2).toEqual(m1);
    const b1 = new Uint8Array(n * ref.numBackwardActions);
    const b2 = new Uint8Array(n * ref.numBackwardActions);
    ref.backwardMask(states, n, b1);
    spec.backwardMask(states, n, b2);
    expect(b2).toEqual(b1);
    const f1 = new Float32Array(n * ref.featureDim);
    const f2 = new Float32Array(n * ref.featureDim);
    ref.featurize(states, n, f1);
    spec.featurize(states, n, f2);
    expect(f2).toEqual(f1);
    const r1 = await ref.logReward(states, n);
    const r2 = await spec.logReward(states, n);
    for (let i = 0; i < n; i++) expect(r2[i]).toBeCloseTo(r1[i]!, 12);
  });

  it('has the same steps, backward steps and parents on every state', () => {
    const d = ndim;
    const mask = new Uint8Array(ref.numActions);
    const bmask = new Uint8Array(ref.numBackwardActions);
    const one = new Int32Array(1);
    const c1 = new Int32Array(d);
    const c2 = new Int32Array(d);
    let steps = 0;
    for (let i = 0; i < n; i++) {
      const s = states.subarray(i * d, (i + 1) * d);
      ref.forwardMask(s, 1, mask);
      for (let a = 0; a < ref.numActions; a++) {
        if (!mask[a] || a === ref.exitAction) continue;
        one[0] = a;
        ref.step(s, one, 1, c1);
        spec.step(s, one, 1, c2);
        expect(Array.from(c2)).toEqual(Array.from(c1));
        steps++;
      }
      ref.backwardMask(s, 1, bmask);
      for (let b = 0; b < ref.numBackwardActions; b++) {
        if (!bmask[b]) continue;
        one[0] = b;
        ref.backwardStep(s, one, 1, c1);
        spec.backwardStep(s, one, 1, c2);
        expect(Array.from(c2)).toEqual(Array.from(c1));
      }
      expect(parentSet(spec.parents(s), d)).toEqual(parentSet(ref.parents(s), d));
    }
    expect(steps).toBe(ndim * (height - 1) * height ** (ndim - 1));
  });
});
