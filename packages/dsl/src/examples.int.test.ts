import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRun, initBackend } from '@gflownet/core';
import { assertConformance } from '@gflownet/core/testing';
import { checkSpecEnv } from './model-check/check-spec-env.js';
import { specEnvModule } from './module.js';
import { compileSpec, loadSpecFile } from './runtime/compile-spec.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

beforeAll(async () => {
  await initBackend('wasm');
});

// [file, terminal states, exact L1 that 300 TB iterations of 64 trajectories must reach]
describe.each([
  ['bits.gfn', 256, 0.15],
  ['subset.gfn', 56, 0.05],
  ['permutation.gfn', 120, 0.05],
  ['scheduling.gfn', 120, 0.05],
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

  it('keeps the env contract (conformance suite)', async () => {
    await assertConformance(new EnvClass!());
  });

  it(`trains with TB to an exact L1 below ${maxL1}`, async () => {
    const run = await createRun(
      {
        env: EnvClass!.specName,
        loss: 'tb',
        hidden: [128, 128],
        iterations: 300,
        batchSize: 64,
        evalEvery: 300,
      },
      [specEnvModule(EnvClass!)],
    );
    const result = await run.train();
    run.dispose();
    expect(result.exact!.l1_exact).toBeLessThan(maxL1);
  }, 120_000);
});

it('the hypergrid spec keeps the env contract in 1 to 4 dimensions', async () => {
  const Hypergrid = loadSpecFile(join(EXAMPLES, '..', 'packages/env-hypergrid/hypergrid.gfn'));
  for (const [ndim, height] of [
    [1, 6],
    [2, 8],
    [3, 5],
    [4, 4],
  ] as const) {
    await assertConformance(new Hypergrid({ ndim, height }));
  }
});
