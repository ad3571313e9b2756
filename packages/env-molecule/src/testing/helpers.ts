import { type DiscreteEnv, type Loss, Rng, Run, resolveRunConfig } from '@gflownet/core';
import type { StateGraph } from '@gflownet/core/metrics';
import { MlpEstimator, PolicyModel, UniformBackward } from '@gflownet/core/policies';
import { OnPolicySampler } from '@gflownet/core/samplers';
import type { QedCalculator } from '../chem/qed.js';
import { type RDKit, withMol } from '../chem/rdkit.js';

/**
 * Trains an MLP policy (2x128, batch 64, on-policy, fixed seeds) with one loss and returns the
 * exact L1 distance of its terminating distribution to R/Z over an enumerated state graph.
 */
export async function trainToExactL1(
  env: DiscreteEnv,
  graph: StateGraph,
  loss: Loss,
  lr: number,
  iterations: number,
): Promise<number> {
  const model = new PolicyModel(
    env,
    new MlpEstimator(
      env,
      { hidden: [128, 128], outDim: PolicyModel.outputWidth(env, loss.heads) },
      new Rng(0),
    ),
    loss.heads,
  );
  const run = new Run({
    config: resolveRunConfig({
      env: env.name,
      iterations,
      batchSize: 64,
      lr,
      evalEvery: iterations,
    }),
    env,
    envParams: {},
    loss,
    backward: new UniformBackward(env),
    sampler: new OnPolicySampler(env, new Rng(1), { epsilon: 0, temperature: 1 }),
    replay: null,
    model,
    graph,
    modules: [],
  });
  const result = await run.train();
  run.dispose();
  return result.exact!.l1_exact;
}

/**
 * Checks the edges into a state: each (parent, action) pair once, each stepping back to the
 * state, and one allowed backward action per distinct parent. Returns the distinct parents.
 */
export function checkEdgesInto(
  env: DiscreteEnv & Required<Pick<DiscreteEnv, 'parents' | 'canonicalKey'>>,
  state: Int32Array,
): number {
  const d = env.stateDim;
  const key = env.canonicalKey(state);
  const edges = env.parents(state);
  const child = new Int32Array(d);
  const parents = new Set<string>();
  const pairs = new Set<string>();
  for (let j = 0; j < edges.actions.length; j++) {
    const p = edges.states.subarray(j * d, (j + 1) * d);
    parents.add(env.canonicalKey(p));
    pairs.add(`${env.canonicalKey(p)} ${edges.actions[j]}`);
    env.step(p, edges.actions.subarray(j, j + 1), 1, child);
    expect(env.canonicalKey(child)).toBe(key);
  }
  expect(pairs.size).toBe(edges.actions.length);
  const mask = new Uint8Array(env.numBackwardActions);
  env.backwardMask(state, 1, mask);
  expect(mask.reduce((a, b) => a + b, 0)).toBe(parents.size);
  return parents.size;
}

/**
 * log(QED^2) of canonical SMILES, each molecule computed once: the small test envs revisit the
 * same few hundred molecules thousands of times, and QED is most of their training time.
 */
export function cachedQedSquared(
  rdkit: RDKit,
  qed: QedCalculator,
): (smiles: readonly string[]) => Float64Array {
  const known = new Map<string, number>();
  return (smiles) =>
    Float64Array.from(smiles, (s) => {
      let v = known.get(s);
      if (v === undefined) {
        v = 2 * Math.log(withMol(rdkit, s, (mol) => qed.qed(mol!)));
        known.set(s, v);
      }
      return v;
    });
}
