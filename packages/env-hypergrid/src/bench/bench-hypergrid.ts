/**
 * Training speed on the hypergrid: iterations per second of trajectory balance with batch 16 and
 * an MLP 2x256 (R0 0.1), on 2D and 4D grids of height 8. Prints figures; asserts nothing.
 *
 *   pnpm bench:hypergrid [--backend wasm|cpu|node] [--iterations N]
 */
import { createRun, initBackend } from '@gflownet/core';
import { hypergridModule } from '../module.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const iterations = Number(flag('iterations') ?? 300);
const warmup = 20;

const backend = await initBackend(flag('backend') as 'node' | 'wasm' | 'cpu' | undefined);
console.log(
  `backend: ${backend.name} (${backend.detail}); TB, batch 16, MLP 2x256, ${iterations} timed iterations`,
);
console.log('grid     it/s   ms/it  sample ms  loss+step ms');
for (const ndim of [2, 4]) {
  const run = await createRun(
    {
      env: 'hypergrid',
      envParams: { ndim, height: 8, r0: 0.1 },
      loss: 'tb',
      batchSize: 16,
    },
    [hypergridModule],
  );
  for (let i = 0; i < warmup; i++) await run.step();
  let sampleMs = 0;
  const sample = run.sampler.sample.bind(run.sampler);
  run.sampler.sample = async (model, count) => {
    const t = performance.now();
    const batch = await sample(model, count);
    sampleMs += performance.now() - t;
    return batch;
  };
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await run.step();
  const ms = performance.now() - t0;
  const perIt = ms / iterations;
  console.log(
    `${ndim}D H8  ${(1000 / perIt).toFixed(1).padStart(6)}  ${perIt.toFixed(2).padStart(6)}  ${(sampleMs / iterations).toFixed(2).padStart(9)}  ${((ms - sampleMs) / iterations).toFixed(2).padStart(12)}`,
  );
  run.dispose();
}
