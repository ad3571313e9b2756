import type { DiscreteEnv } from '../env/env.js';
import { compareDistributions, targetDistribution, terminatingDistribution } from './exact.js';
import { buildStateGraph } from './state-graph.js';

/**
 * A diamond: s0 = (0,0) can go to (1,0) or (0,1), both can go to (1,1); only (1,0), (0,1) and
 * (1,1) may exit. Two paths reach (1,1), so the DAG is not a tree.
 */
class Diamond implements DiscreteEnv {
  readonly name = 'diamond';
  readonly stateDim = 2;
  readonly numActions = 3;
  readonly exitAction = 2;
  readonly numBackwardActions = 2;
  readonly featureDim = 2;
  readonly maxTrajectoryLength = 3;
  readonly initialState = new Int32Array(2);
  forwardMask(s: Int32Array, n: number, out: Uint8Array): void {
    for (let i = 0; i < n; i++) {
      out[3 * i] = s[2 * i] === 0 ? 1 : 0;
      out[3 * i + 1] = s[2 * i + 1] === 0 ? 1 : 0;
      out[3 * i + 2] = s[2 * i]! + s[2 * i + 1]! > 0 ? 1 : 0;
    }
  }
  backwardMask(s: Int32Array, n: number, out: Uint8Array): void {
    for (let k = 0; k < 2 * n; k++) out[k] = s[k]! > 0 ? 1 : 0;
  }
  step(s: Int32Array, a: Int32Array, n: number, out: Int32Array): void {
    out.set(s.subarray(0, 2 * n));
    for (let i = 0; i < n; i++) out[2 * i + a[i]!] = 1;
  }
  backwardStep(s: Int32Array, b: Int32Array, n: number, out: Int32Array): void {
    out.set(s.subarray(0, 2 * n));
    for (let i = 0; i < n; i++) out[2 * i + b[i]!] = 0;
  }
  logReward(s: Int32Array, n: number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => Math.log(1 + s[2 * i]! + 2 * s[2 * i + 1]!));
  }
  featurize(s: Int32Array, n: number, out: Float32Array): void {
    for (let k = 0; k < 2 * n; k++) out[k] = s[k]!;
  }
}

describe('exact terminating distribution', () => {
  it('sums the probability of every path into each terminating state', async () => {
    const env = new Diamond();
    const graph = await buildStateGraph(env);
    expect(graph.size).toBe(4);
    expect(graph.numTerminal).toBe(3);
    // R(1,0) = 2, R(0,1) = 3, R(1,1) = 4.
    expect(Math.exp(graph.logZ)).toBeCloseTo(9, 12);
    const probs = new Float32Array(graph.size * 3);
    const at = (x: number, y: number) => graph.index.get(`${x},${y}`)!;
    probs.set([0.25, 0.75, 0], at(0, 0) * 3);
    probs.set([0, 0.5, 0.5], at(1, 0) * 3);
    probs.set([0.2, 0, 0.8], at(0, 1) * 3);
    probs.set([0, 0, 1], at(1, 1) * 3);
    const p = terminatingDistribution(graph, probs);
    expect(p[at(1, 0)]).toBeCloseTo(0.125, 6);
    expect(p[at(0, 1)]).toBeCloseTo(0.6, 6);
    expect(p[at(1, 1)]).toBeCloseTo(0.125 + 0.15, 6);
    const target = targetDistribution(graph);
    const d = compareDistributions(p, target, graph.numTerminal);
    const l1 = Math.abs(0.125 - 2 / 9) + Math.abs(0.6 - 3 / 9) + Math.abs(0.275 - 4 / 9);
    expect(d.l1).toBeCloseTo(l1, 6);
    expect(d.l1Mean).toBeCloseTo(l1 / 3, 6);
    expect(d.tv).toBeCloseTo(l1 / 2, 6);
    expect(d.jsd).toBeGreaterThan(0);
    expect(compareDistributions(target, target, 3).jsd).toBeCloseTo(0, 12);
  });
});
