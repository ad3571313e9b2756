import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  OnPolicySampler,
  PolicyModel,
  MlpEstimator,
  Rng,
  Trainer,
  TrajectoryBalance,
  UniformBackward,
  buildStateGraph,
  initBackend,
} from '@gflownet/core';
import { checkSpecEnv } from './check.js';
import { compileSpec } from './spec.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

beforeAll(async () => {
  await initBackend('wasm');
});

// [file, terminal states, exact L1 that 300 TB iterations of 64 trajectories must reach]
describe.each([
  ['bits.gfn', 256, 0.15],
  ['subset.gfn', 56, 0.05],
  ['permutation.gfn', 120, 0.05],
])('examples/%s', (file, terminals, maxL1) => {
  const source = readFileSync(join(EXAMPLES, file), 'utf8');
  const { EnvClass, diagnostics } = compileSpec(source);

  it('compiles without diagnostics and passes the model check', async () => {
    expect(diagnostics).toEqual([]);
    const report = await checkSpecEnv(new EnvClass!());
    expect(report.exhaustive).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.terminalStates).toBe(terminals);
  });

  it(`trains with TB to an exact L1 below ${maxL1}`, async () => {
    const env = new EnvClass!();
    const heads = { learnedBackward: false, stateFlow: false };
    const estimator = new MlpEstimator(
      env,
      { hidden: [128, 128], outDim: PolicyModel.outputWidth(env, heads) },
      new Rng(0),
    );
    const model = new PolicyModel(env, estimator, heads);
    const loss = new TrajectoryBalance({ env, backward: new UniformBackward(env) });
    const sampler = new OnPolicySampler(env, new Rng(1));
    const graph = await buildStateGraph(env);
    const trainer = new Trainer(
      model,
      loss,
      sampler,
      { iterations: 300, batchSize: 64, lr: 1e-3, lrLogZ: 0.1, evalEvery: 300 },
      [],
      graph,
    );
    const result = await trainer.train();
    model.dispose();
    expect(result.exact!.l1_exact).toBeLessThan(maxL1);
  }, 120_000);
});
