import type { DiscreteEnv } from '../env/env.js';
import { assertConformance, checkConformance } from './conformance.js';
import { HypergridEnv } from './hypergrid.js';

describe('the env conformance suite', () => {
  it.each([
    [1, 5],
    [2, 8],
    [3, 4],
  ])(
    'passes the hand-written hypergrid, ndim %i height %i, on every state',
    async (ndim, height) => {
      const report = await assertConformance(new HypergridEnv({ ndim, height }));
      expect(report.exhaustive).toBe(true);
      expect(report.statesChecked).toBe(height ** ndim);
      expect(report.terminalStatesChecked).toBe(height ** ndim);
    },
  );

  it('samples large instances by random walks', async () => {
    const report = await assertConformance(new HypergridEnv({ ndim: 6, height: 20 }), {
      maxStates: 1000,
      walks: 50,
    });
    expect(report.exhaustive).toBe(false);
    expect(report.statesChecked).toBeGreaterThan(50);
  });

  /** The hypergrid with one part of the contract broken. */
  function broken(change: Partial<DiscreteEnv>): DiscreteEnv {
    const env = new HypergridEnv({ ndim: 2, height: 4 });
    return Object.assign(Object.create(Object.getPrototypeOf(env) as object), env, change);
  }

  it.each<[string, Partial<DiscreteEnv>]>([
    [
      'mask-step',
      {
        backwardMask: (_states: Int32Array, n: number, out: Uint8Array) => out.fill(0, 0, n * 2),
      },
    ],
    [
      'backward-step',
      {
        backwardStep: (s: Int32Array, _b: Int32Array, n: number, out: Int32Array) =>
          out.set(s.subarray(0, n * 2)),
      },
    ],
    ['reward', { logReward: (_s: Int32Array, n: number) => new Float64Array(n).fill(NaN) }],
    [
      'parents',
      {
        parents: (state: Int32Array) => ({ states: state.slice(), actions: Int32Array.of(0) }),
      },
    ],
    [
      'dead-end',
      {
        forwardMask: (states: Int32Array, n: number, out: Uint8Array) => {
          for (let i = 0; i < n; i++) {
            const top = states[i * 2] === 3 && states[i * 2 + 1] === 3;
            out.set(
              top ? [0, 0, 0] : [states[i * 2]! < 3 ? 1 : 0, states[i * 2 + 1]! < 3 ? 1 : 0, 1],
              i * 3,
            );
          }
        },
      },
    ],
  ])('reports a broken %s check', async (check, change) => {
    const report = await checkConformance(broken(change));
    expect(Object.keys(report.failures)).toContain(check);
    await expect(assertConformance(broken(change))).rejects.toThrow(check);
  });
});
