import { initBackend } from '@gflownet/core';
import { FlowMatching, TrajectoryBalance } from '@gflownet/core/losses';
import { type StateGraph, buildStateGraph } from '@gflownet/core/metrics';
import { UniformBackward } from '@gflownet/core/policies';
import { assertConformance } from '@gflownet/core/testing';
import { AtomsEnv } from './atoms-env.js';
import { QedCalculator } from './chem/qed.js';
import { cachedQedSquared, checkEdgesInto, trainToExactL1 } from './testing/helpers.js';
import { type RDKit, canonicalSmiles, loadRDKit } from './chem/rdkit.js';

// The tricky case, small enough to enumerate: molecules of C, N and O with at most 4 heavy atoms,
// built atom by atom, identified by RDKit canonical SMILES; reward QED^2.
let rdkit: RDKit;
let qed: QedCalculator;
let env: AtomsEnv;
let graph: StateGraph;

beforeAll(async () => {
  await initBackend('wasm');
  rdkit = await loadRDKit();
  qed = new QedCalculator(rdkit);
  env = new AtomsEnv(rdkit, {
    atoms: ['C', 'N', 'O'],
    maxAtoms: 4,
    logReward: cachedQedSquared(rdkit, qed),
  });
  graph = await buildStateGraph(env);
});
afterAll(() => qed.dispose());

const row = (s: number) => graph.states.subarray(s * env.stateDim, (s + 1) * env.stateDim);

describe('the atoms env on C, N, O with at most 4 heavy atoms', () => {
  it('enumerates each molecule once, as a valid, non-aromatic RDKit molecule', () => {
    expect(graph.numTerminal).toBe(graph.size - 1); // every molecule but the empty one
    const keys = new Set<string>();
    for (let s = 1; s < graph.size; s++) {
      const key = env.canonicalKey(row(s));
      expect(canonicalSmiles(rdkit, key)).toBe(key);
      expect(key).not.toMatch(/[cno]/);
      keys.add(key);
    }
    expect(keys.size).toBe(graph.size - 1);
    for (const smiles of ['C', 'CCO', 'C1CC1', 'C1CO1', 'C#CC#N', 'NC(N)=O', 'C1=CC1', 'CC(C)C'])
      expect(keys.has(canonicalSmiles(rdkit, smiles)!)).toBe(true);
    expect(graph.size).toBeGreaterThan(500);
  });

  it('gives distinct parents, each leading back to the state by a forward step', () => {
    for (let s = 1; s < graph.size; s++) {
      const state = row(s);
      expect(checkEdgesInto(env, state)).toBe(env.parents(state).actions.length);
    }
  });

  it('trains with flow matching to exact L1 <= 0.1 over canonical molecules', async () => {
    const l1 = await trainToExactL1(
      env,
      graph,
      new FlowMatching({ env, backward: new UniformBackward(env) }),
      1e-2,
      800,
    );
    expect(l1).toBeLessThanOrEqual(0.1);
  });

  it('trains with trajectory balance to exact L1 <= 0.1 over canonical molecules', async () => {
    const l1 = await trainToExactL1(
      env,
      graph,
      new TrajectoryBalance({ env, backward: new UniformBackward(env) }),
      3e-3,
      1000,
    );
    expect(l1).toBeLessThanOrEqual(0.1);
  });
});

describe('the env conformance suite', () => {
  it('passes the atoms env on every state', async () => {
    const report = await assertConformance(env);
    expect(report.exhaustive).toBe(true);
  });
});
