import { initBackend } from '@gflownet/core';
import { FlowMatching, TrajectoryBalance } from '@gflownet/core/losses';
import { type StateGraph, buildStateGraph } from '@gflownet/core/metrics';
import { UniformBackward } from '@gflownet/core/policies';
import { assertConformance } from '@gflownet/core/testing';
import { QedCalculator } from './chem/qed.js';
import { createMoleculeEnv } from './module.js';
import { qedReward } from './rewards.js';
import { cachedQedSquared, checkEdgesInto, trainToExactL1 } from './testing/helpers.js';
import { type RDKit, canonicalSmiles, loadRDKit } from './chem/rdkit.js';
import { FragmentsEnv } from './fragments-env.js';
import { prepareVocabulary } from './fragments/vocabulary.js';

// A fragments space small enough to enumerate: six fragments, 2 to 4 of them per molecule. The
// methylene and methyl fragments make many build orders (and fragment graphs) reach one molecule.
let rdkit: RDKit;
let qed: QedCalculator;
let env: FragmentsEnv;
let graph: StateGraph;

beforeAll(async () => {
  await initBackend('wasm');
  rdkit = await loadRDKit();
  qed = new QedCalculator(rdkit);
  const fragments = prepareVocabulary(rdkit, [
    ['*C', 'methyl'],
    ['*O', 'hydroxy'],
    ['*c1ccc(*)cc1', '1,4-phenylene'],
    ['*N(*)*', 'nitrilo'],
    ['*C(=O)*', 'carbonyl'],
    ['*C*', 'methylene'],
  ]);
  env = new FragmentsEnv(rdkit, {
    fragments,
    maxFragments: 4,
    enumerable: true,
    logReward: cachedQedSquared(rdkit, qed),
  });
  graph = await buildStateGraph(env);
});
afterAll(() => qed.dispose());

const row = (s: number) => graph.states.subarray(s * env.stateDim, (s + 1) * env.stateDim);

describe('the fragments env on a six-fragment vocabulary, 2 to 4 fragments', () => {
  it('enumerates each state once, with valid molecules and edges that lead back', () => {
    expect(graph.size).toBeGreaterThan(400);
    const keys = new Set<string>();
    let merged = 0;
    for (let s = 1; s < graph.size; s++) {
      const state = row(s);
      keys.add(env.canonicalKey(state));
      const [smiles] = env.smiles(state, 1);
      expect(canonicalSmiles(rdkit, smiles!)).toBe(smiles);
      const parents = checkEdgesInto(env, state);
      expect(parents).toBeGreaterThan(0);
      if (parents > 1) merged += 1;
    }
    expect(keys.size).toBe(graph.size - 1);
    // Most states are reached by several build orders.
    expect(merged).toBeGreaterThan(graph.size / 2);
  });

  it('trains with flow matching to exact L1 <= 0.1', async () => {
    const l1 = await trainToExactL1(
      env,
      graph,
      new FlowMatching({ env, backward: new UniformBackward(env) }),
      1e-2,
      600,
    );
    expect(l1).toBeLessThanOrEqual(0.1);
  });

  it('trains with trajectory balance to exact L1 <= 0.1', async () => {
    const l1 = await trainToExactL1(
      env,
      graph,
      new TrajectoryBalance({ env, backward: new UniformBackward(env) }),
      3e-3,
      800,
    );
    expect(l1).toBeLessThanOrEqual(0.1);
  });
});

describe('the env conformance suite', () => {
  it('passes the six-fragment env on every state', async () => {
    const report = await assertConformance(env);
    expect(report.exhaustive).toBe(true);
  });

  it.each(['fragments', 'atoms'])(
    'passes --env molecule in %s mode with its defaults, on random walks',
    async (mode) => {
      const big = createMoleculeEnv(rdkit, [qedReward], { mode });
      const report = await assertConformance(big, { maxStates: 50, walks: 2, seed: 3 });
      expect(report.exhaustive).toBe(false);
    },
    120_000,
  );
});
