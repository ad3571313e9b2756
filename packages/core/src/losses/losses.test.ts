import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import {
  compareDistributions,
  modelTerminatingDistribution,
  targetDistribution,
} from '../metrics/exact.js';
import { type StateGraph, buildStateGraph } from '../metrics/state-graph.js';
import { EnvBackward, LearnedBackward, UniformBackward } from '../policies/backward.js';
import { PolicyModel } from '../policies/model.js';
import { TabularEstimator } from '../policies/tabular.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { HypergridEnv } from '../testing/hypergrid.js';
import { Rng } from '../util/rng.js';
import { DetailedBalance } from './detailed-balance.js';
import { FlowMatching } from './flow-matching.js';
import { ForwardLookingDetailedBalance } from './forward-looking.js';
import { LogPartitionVariance } from './log-partition-variance.js';
import type { Loss } from './loss.js';
import { ModifiedDetailedBalance } from './modified-detailed-balance.js';
import { LinexPenalty, ShiftedCoshPenalty } from './penalty.js';
import { SubTrajectoryBalance } from './subtrajectory-balance.js';
import { TrajectoryBalance } from './trajectory-balance.js';

/**
 * Exact flows of a hypergrid under a fixed backward policy (uniform unless the env's own is
 * asked for), by dynamic programming in reverse topological order: F(s) = R(s) + sum over
 * children c of F(c) P_B(s|c). The forward policy is then F(s -> c) / F(s), and Z = F(s0).
 * On the hypergrid, backward action d undoes forward action d.
 */
function exactFlows(
  graph: StateGraph,
  env: HypergridEnv,
  envBackward: boolean,
): { stateFlow: Float64Array; edgeFlow: Float64Array } {
  const ab = env.numBackwardActions;
  const mask = new Uint8Array(graph.size * ab);
  env.backwardMask(graph.states, graph.size, mask);
  const logPB = new Float32Array(graph.size * ab);
  const policy = envBackward ? new EnvBackward(env) : new UniformBackward(env);
  policy.fixedLogProbs(graph.states, graph.size, mask, logPB);
  const stateFlow = new Float64Array(graph.size);
  const edgeFlow = new Float64Array(graph.edgeChild.length);
  for (let k = graph.size - 1; k >= 0; k--) {
    const s = graph.order[k]!;
    let f = graph.canExit[s] ? Math.exp(graph.logRewards[s]!) : 0;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      const c = graph.edgeChild[e]!;
      edgeFlow[e] = stateFlow[c]! * Math.exp(logPB[c * ab + graph.edgeAction[e]!]!);
      f += edgeFlow[e]!;
    }
    stateFlow[s] = f;
  }
  return { stateFlow, edgeFlow };
}

/**
 * A tabular model holding the exact log edge flows as logits (log R on exit), log F(s) on the
 * flow head (log F(s) - log R(s) for forward-looking DB, whose head learns F~ = F / R~ with
 * R~ = R here), zeros (uniform) on a backward head, and log Z = log F(s0).
 */
function exactModel(
  env: HypergridEnv,
  graph: StateGraph,
  loss: Loss,
  envBackward: boolean,
): PolicyModel {
  const { stateFlow, edgeFlow } = exactFlows(graph, env, envBackward);
  const heads = loss.heads;
  const width = PolicyModel.outputWidth(env, heads);
  const forwardLooking = loss instanceof ForwardLookingDetailedBalance;
  const table = new Float32Array(graph.size * width);
  for (let s = 0; s < graph.size; s++) {
    const row = s * width;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      table[row + graph.edgeAction[e]!] = Math.log(edgeFlow[e]!);
    }
    table[row + env.exitAction] = graph.logRewards[s]!;
    if (heads.stateFlow) {
      const offset = forwardLooking ? graph.logRewards[s]! : 0;
      table[row + width - 1] = Math.log(stateFlow[s]!) - offset;
    }
  }
  const estimator = new TabularEstimator(env, graph.states, graph.size, width, table);
  const backward = heads.separateBackward
    ? new TabularEstimator(env, graph.states, graph.size, env.numBackwardActions)
    : undefined;
  return new PolicyModel(env, estimator, heads, Math.log(stateFlow[0]!), backward);
}

async function lossValue(loss: Loss, model: PolicyModel, seed: number): Promise<number> {
  const sampler = new OnPolicySampler(model.env, new Rng(seed), { epsilon: 0.3, temperature: 1 });
  const batch = await sampler.sample(model, 64);
  const prepared = await loss.prepare(batch);
  const value = tf.tidy(() => loss.compute(prepared, model));
  const v = value.dataSync()[0]!;
  value.dispose();
  return v;
}

type MakeLoss = (env: HypergridEnv) => Loss;
const fixed = (env: HypergridEnv) => new EnvBackward(env);
const uniform = (env: HypergridEnv) => new UniformBackward(env);
const learned = () => new LearnedBackward('learned', 'shared');
const separate = () => new LearnedBackward('separate', 'separate');
const cosh = new ShiftedCoshPenalty();

const SETUPS: [string, MakeLoss][] = [
  ['tb, uniform backward', (env) => new TrajectoryBalance({ env, backward: uniform(env) })],
  ['tb, learned backward', (env) => new TrajectoryBalance({ env, backward: learned() })],
  ['tb, separate backward network', (env) => new TrajectoryBalance({ env, backward: separate() })],
  [
    'tb, fixed backward policy of the env',
    (env) => new TrajectoryBalance({ env, backward: fixed(env) }),
  ],
  [
    'subtb, fixed backward policy of the env',
    (env) => new SubTrajectoryBalance({ env, backward: fixed(env) }),
  ],
  [
    'tb, shifted-cosh penalty',
    (env) => new TrajectoryBalance({ env, backward: uniform(env), penalty: cosh }),
  ],
  ['db, uniform backward', (env) => new DetailedBalance({ env, backward: uniform(env) })],
  ['db, learned backward', (env) => new DetailedBalance({ env, backward: learned() })],
  ['fm', (env) => new FlowMatching({ env, backward: uniform(env) })],
  [
    'fm, linex penalty',
    (env) => new FlowMatching({ env, backward: uniform(env), penalty: new LinexPenalty(0.5) }),
  ],
  ['subtb, uniform backward', (env) => new SubTrajectoryBalance({ env, backward: uniform(env) })],
  [
    'subtb, learned backward, lambda 1.5',
    (env) => new SubTrajectoryBalance({ env, backward: learned(), options: { lambda: 1.5 } }),
  ],
  [
    'fldb, uniform backward',
    (env) => new ForwardLookingDetailedBalance({ env, backward: uniform(env) }),
  ],
  [
    'fldb, learned backward',
    (env) => new ForwardLookingDetailedBalance({ env, backward: learned() }),
  ],
  ['zvar, uniform backward', (env) => new LogPartitionVariance({ env, backward: uniform(env) })],
  ['zvar, learned backward', (env) => new LogPartitionVariance({ env, backward: learned() })],
  ['mdb, uniform backward', (env) => new ModifiedDetailedBalance({ env, backward: uniform(env) })],
  [
    'mdb, learned backward, cosh',
    (env) => new ModifiedDetailedBalance({ env, backward: learned(), penalty: cosh }),
  ],
];

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(SETUPS)('%s at the exact flows', (name, makeLoss) => {
  for (const [ndim, height] of [
    [2, 4],
    [3, 3],
  ] as const) {
    it(`is ~0 on a ${ndim}D grid of height ${height} and grows when the flows are perturbed`, async () => {
      const env = new HypergridEnv({ ndim, height });
      const graph = await buildStateGraph(env);
      const loss = makeLoss(env);
      const model = exactModel(env, graph, loss, name.includes('fixed backward'));
      const exact = await lossValue(loss, model, 1);
      expect(exact).toBeLessThan(1e-6);
      expect(Math.abs(loss.estimateLogZ(model) - graph.logZ)).toBeLessThan(1e-5);
      const p = modelTerminatingDistribution(model, graph);
      expect(compareDistributions(p, targetDistribution(graph), graph.numTerminal).l1).toBeLessThan(
        1e-5,
      );

      const table = (model.estimator as TabularEstimator).table;
      const rng = new Rng(2);
      const noise = new Float32Array(table.size).map(() => rng.uniform(-0.5, 0.5));
      table.assign(tf.add(table, tf.tensor(noise, table.shape)));
      model.logZ.assign(tf.add(model.logZ, 0.3));
      const perturbed = await lossValue(loss, model, 1);
      expect(perturbed).toBeGreaterThan(1e-2);
      model.dispose();
    });
  }
});
