import { buildStateGraph } from '../metrics/state-graph.js';
import { allGridStates as allStates } from './grid-states.js';
import { HypergridEnv } from './hypergrid.js';

/** Calls visit(state, action, child) for every allowed non-exit forward step from `states`. */
function forEachStep(
  env: HypergridEnv,
  states: Int32Array,
  n: number,
  visit: (state: Int32Array, action: Int32Array, child: Int32Array) => void,
): void {
  const d = env.stateDim;
  const fwd = new Uint8Array(env.numActions);
  const one = new Int32Array(1);
  const child = new Int32Array(d);
  for (let i = 0; i < n; i++) {
    const s = states.subarray(i * d, (i + 1) * d);
    env.forwardMask(s, 1, fwd);
    for (let a = 0; a < env.numActions; a++) {
      if (!fwd[a] || a === env.exitAction) continue;
      one[0] = a;
      env.step(s, one, 1, child);
      visit(s, one, child);
    }
  }
}

const GRIDS: [number, number][] = [
  [1, 5],
  [2, 4],
  [3, 3],
];

describe.each(GRIDS)('hypergrid ndim=%i height=%i', (ndim, height) => {
  const env = new HypergridEnv({ ndim, height });
  const states = allStates(ndim, height);
  const n = height ** ndim;

  it('allows increments below the top, exit everywhere, decrements above zero', () => {
    const fwd = new Uint8Array(n * env.numActions);
    const bwd = new Uint8Array(n * env.numBackwardActions);
    env.forwardMask(states, n, fwd);
    env.backwardMask(states, n, bwd);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < ndim; d++) {
        const x = states[i * ndim + d]!;
        expect(fwd[i * env.numActions + d]).toBe(x < height - 1 ? 1 : 0);
        expect(bwd[i * ndim + d]).toBe(x > 0 ? 1 : 0);
      }
      expect(fwd[i * env.numActions + env.exitAction]).toBe(1);
    }
  });

  it('undoes every forward step with the matching backward step', () => {
    const back = new Int32Array(ndim);
    const backAction = new Int32Array(1);
    let checked = 0;
    forEachStep(env, states, n, (s, action, child) => {
      env.backwardActionOf(s, action, 1, backAction);
      env.backwardStep(child, backAction, 1, back);
      expect(Array.from(back)).toEqual(Array.from(s));
      checked++;
    });
    expect(checked).toBe(ndim * (height - 1) * height ** (ndim - 1));
  });

  it('lists exactly the states whose forward steps lead to each state', () => {
    const expected = new Map<string, string[]>();
    forEachStep(env, states, n, (s, action, child) => {
      const key = child.join(',');
      expected.set(key, [...(expected.get(key) ?? []), `${s.join(',')}/${action[0]}`]);
    });
    for (let i = 0; i < n; i++) {
      const s = states.subarray(i * ndim, (i + 1) * ndim);
      const p = env.parents(s);
      const got = Array.from(
        p.actions,
        (a, j) => `${p.states.subarray(j * ndim, (j + 1) * ndim).join(',')}/${a}`,
      );
      expect(got.sort()).toEqual((expected.get(s.join(',')) ?? []).sort());
    }
  });

  it('one-hot encodes each coordinate', () => {
    const feats = new Float32Array(n * env.featureDim);
    env.featurize(states, n, feats);
    for (let i = 0; i < n; i++) {
      const row = feats.subarray(i * env.featureDim, (i + 1) * env.featureDim);
      expect(row.reduce((a, b) => a + b, 0)).toBe(ndim);
      for (let d = 0; d < ndim; d++) expect(row[d * height + states[i * ndim + d]!]).toBe(1);
    }
  });
});

describe('hypergrid reward', () => {
  it('matches the 2021 paper on a 2D grid of height 8', () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    // x/(H-1) - 0.5 for x = 0..7 is +-0.5, +-0.357, +-0.214, +-0.071: the band 0.3..0.4 is x = 1, 6.
    const r = (x: number, y: number) => Math.exp(env.logReward(Int32Array.of(x, y), 1)[0]!);
    expect(r(0, 0)).toBeCloseTo(0.6, 12);
    expect(r(1, 6)).toBeCloseTo(2.6, 12);
    expect(r(6, 6)).toBeCloseTo(2.6, 12);
    expect(r(1, 2)).toBeCloseTo(0.1, 12);
    expect(r(3, 4)).toBeCloseTo(0.1, 12);
    expect(r(0, 7)).toBeCloseTo(0.6, 12);
  });

  it('has the partition function of its reward classes', async () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    const graph = await buildStateGraph(env);
    // Per axis, 4 of 8 values are away from the centre (0, 1, 6, 7) and 2 of them in the band.
    const outer = 4 * 4;
    const band = 2 * 2;
    const z = 64 * 0.1 + outer * 0.5 + band * 2.0;
    expect(graph.size).toBe(64);
    expect(graph.numTerminal).toBe(64);
    expect(Math.exp(graph.logZ)).toBeCloseTo(z, 6);
  });

  it('names a mode for states in the band of every axis only', () => {
    const env = new HypergridEnv({ ndim: 2, height: 8 });
    expect(env.modeOf(Int32Array.of(1, 6))).toBe('01');
    expect(env.modeOf(Int32Array.of(6, 6))).toBe('11');
    expect(env.modeOf(Int32Array.of(0, 6))).toBeNull();
    expect(env.numModes).toBe(4);
  });
});
