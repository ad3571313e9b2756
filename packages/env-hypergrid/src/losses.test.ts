import {
  DetailedBalance,
  tf,
  FlowMatching,
  type Loss,
  OnPolicySampler,
  PolicyModel,
  Rng,
  type StateGraph,
  TabularEstimator,
  TrajectoryBalance,
  buildStateGraph,
  compareDistributions,
  modelTerminatingDistribution,
  targetDistribution,
  initBackend,
} from '@gflownet/core';
import { HypergridEnv } from './hypergrid.js';

/**
 * Exact flows of a hypergrid under the uniform backward policy, by dynamic programming in reverse
 * topological order: F(s) = R(s) + sum over children c of F(c) P_B(s|c), with P_B(s|c) one over
 * the number of parents of c. The forward policy is then F(s -> c) / F(s), and Z = F(s0).
 */
function exactFlows(graph: StateGraph): { stateFlow: Float64Array; edgeFlow: Float64Array } {
  const parentsCount = new Int32Array(graph.size);
  for (let e = 0; e < graph.edgeChild.length; e++) parentsCount[graph.edgeChild[e]!]! += 1;
  const stateFlow = new Float64Array(graph.size);
  const edgeFlow = new Float64Array(graph.edgeChild.length);
  for (let k = graph.size - 1; k >= 0; k--) {
    const s = graph.order[k]!;
    let f = graph.canExit[s] ? Math.exp(graph.logRewards[s]!) : 0;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      const c = graph.edgeChild[e]!;
      edgeFlow[e] = stateFlow[c]! / parentsCount[c]!;
      f += edgeFlow[e]!;
    }
    stateFlow[s] = f;
  }
  return { stateFlow, edgeFlow };
}

interface Setup {
  loss: Loss;
  learnedBackward: boolean;
  stateFlow: boolean;
}

/**
 * A tabular model holding the exact log edge flows as logits (log R on exit), log F(s) on the
 * flow head, zeros (uniform) on the backward head, and log Z = log F(s0).
 */
function exactModel(env: HypergridEnv, graph: StateGraph, setup: Setup): PolicyModel {
  const { stateFlow, edgeFlow } = exactFlows(graph);
  const heads = { learnedBackward: setup.learnedBackward, stateFlow: setup.stateFlow };
  const width = PolicyModel.outputWidth(env, heads);
  const table = new Float32Array(graph.size * width);
  for (let s = 0; s < graph.size; s++) {
    const row = s * width;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      table[row + graph.edgeAction[e]!] = Math.log(edgeFlow[e]!);
    }
    table[row + env.exitAction] = graph.logRewards[s]!;
    if (setup.stateFlow) table[row + width - 1] = Math.log(stateFlow[s]!);
  }
  const estimator = new TabularEstimator(env, graph.states, graph.size, width, table);
  return new PolicyModel(env, estimator, heads, Math.log(stateFlow[0]!));
}

async function lossValue(loss: Loss, model: PolicyModel, seed: number): Promise<number> {
  const sampler = new OnPolicySampler(model.env, new Rng(seed), { epsilon: 0.3, temperature: 1 });
  const batch = await sampler.sample(model, 64);
  const prepared = loss.prepare(batch);
  const value = tf.tidy(() => loss.compute(prepared, model));
  const v = value.dataSync()[0]!;
  value.dispose();
  return v;
}

const SETUPS: [string, (env: HypergridEnv) => Setup][] = [
  [
    'tb, uniform backward',
    (env) => ({
      loss: new TrajectoryBalance({ env, backward: 'uniform' }),
      learnedBackward: false,
      stateFlow: false,
    }),
  ],
  [
    'tb, learned backward',
    (env) => ({
      loss: new TrajectoryBalance({ env, backward: 'learned' }),
      learnedBackward: true,
      stateFlow: false,
    }),
  ],
  [
    'db, uniform backward',
    (env) => ({
      loss: new DetailedBalance({ env, backward: 'uniform' }),
      learnedBackward: false,
      stateFlow: true,
    }),
  ],
  [
    'db, learned backward',
    (env) => ({
      loss: new DetailedBalance({ env, backward: 'learned' }),
      learnedBackward: true,
      stateFlow: true,
    }),
  ],
  [
    'fm',
    (env) => ({
      loss: new FlowMatching({ env, backward: 'uniform' }),
      learnedBackward: false,
      stateFlow: false,
    }),
  ],
];

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(SETUPS)('%s at the exact flows', (_name, makeSetup) => {
  for (const [ndim, height] of [
    [2, 4],
    [3, 3],
  ] as const) {
    it(`is ~0 on a ${ndim}D grid of height ${height} and grows when the flows are perturbed`, async () => {
      const env = new HypergridEnv({ ndim, height });
      const graph = await buildStateGraph(env);
      const setup = makeSetup(env);
      const model = exactModel(env, graph, setup);
      expect(setup.loss.heads).toEqual(model.heads);
      const exact = await lossValue(setup.loss, model, 1);
      expect(exact).toBeLessThan(1e-6);
      expect(Math.abs(setup.loss.estimateLogZ(model) - graph.logZ)).toBeLessThan(1e-5);
      const p = modelTerminatingDistribution(model, graph);
      expect(compareDistributions(p, targetDistribution(graph), graph.numTerminal).l1).toBeLessThan(
        1e-5,
      );

      const table = (model.estimator as TabularEstimator).table;
      const rng = new Rng(2);
      const noise = new Float32Array(table.size).map(() => rng.uniform(-0.5, 0.5));
      table.assign(tf.add(table, tf.tensor(noise, table.shape)));
      model.logZ.assign(tf.add(model.logZ, 0.3));
      const perturbed = await lossValue(setup.loss, model, 1);
      expect(perturbed).toBeGreaterThan(1e-2);
      model.dispose();
    });
  }
});
