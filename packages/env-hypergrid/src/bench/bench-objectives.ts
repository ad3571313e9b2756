/**
 * Every objective on the 4D hypergrid of height 8 with R0 = 0.01 (sparser than the usual 0.1),
 * batch 16, MLP 2x256, default learning rates: iterations per second (training only), exact L1
 * (sum convention) after 8,000 and 32,000 trajectories, and modes found out of 16. Prints a table
 * and writes it to bench/results/objectives.md and .json. Asserts nothing.
 *
 *   pnpm bench:objectives [--backend wasm|cpu|node] [--seed N] [--objectives tb,db,...]
 *                         [--backward uniform|learned|...] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createRun, initBackend, type Reporter } from '@gflownet/core';
import { hypergridModule } from '../module.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const OBJECTIVES = (flag('objectives') ?? 'tb,db,fm,subtb,fldb,zvar,mdb').split(',');
const seed = Number(flag('seed') ?? 0);
const backwardName = flag('backward') ?? 'uniform';
const outDir = flag('out') ?? 'bench/results';
const BATCH = 16;
const CHECKPOINTS = [8_000, 32_000];
const envParams = { ndim: 4, height: 8, r0: 0.01, r1: 0.5, r2: 2 };

const backend = await initBackend(flag('backend') as 'node' | 'wasm' | 'cpu' | undefined);
const header =
  `4D hypergrid H8, R0 0.01; batch ${BATCH}; MLP 2x256; lr 1e-3 (log Z 0.1); ` +
  `backward ${backwardName}; seed ${seed}; backend ${backend.name} (${backend.detail}); ` +
  `${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}`;
console.log(header);
console.log(
  'exact L1 is sum_x |p(x) - R(x)/Z| over the 4096 terminating states (torchgfn convention)',
);

interface Row {
  objective: string;
  iterations_per_second: number;
  l1_8k: number;
  l1_32k: number;
  modes_found: number;
  modes_total: number;
  seconds: number;
}
const rows: Row[] = [];
const columns = 'objective   it/s   L1 @8k   L1 @32k   modes @32k';
console.log(columns);
for (const objective of OBJECTIVES) {
  const run = await createRun(
    {
      env: 'hypergrid',
      envParams,
      loss: objective,
      backward: objective === 'fm' ? 'uniform' : backwardName,
      batchSize: BATCH,
      iterations: CHECKPOINTS.at(-1)! / BATCH,
      evalEvery: CHECKPOINTS[0]! / BATCH,
      seed,
    },
    [hypergridModule],
  );
  const l1At = new Map<number, number>();
  const collect: Reporter = {
    onEval: (r) => {
      l1At.set(r.trajectories, r['l1_exact']!);
    },
  };
  const result = await run.train({ reporters: [collect] });
  const row: Row = {
    objective,
    iterations_per_second: result.iterations / result.seconds,
    l1_8k: l1At.get(CHECKPOINTS[0]!)!,
    l1_32k: l1At.get(CHECKPOINTS[1]!)!,
    modes_found: result.modesFound ?? 0,
    modes_total: result.modesTotal ?? 0,
    seconds: result.seconds,
  };
  rows.push(row);
  console.log(formatRow(row));
  run.dispose();
}

function formatRow(r: Row): string {
  return (
    `${r.objective.padEnd(9)} ${r.iterations_per_second.toFixed(1).padStart(6)}  ` +
    `${r.l1_8k.toFixed(4).padStart(7)}  ${r.l1_32k.toFixed(4).padStart(8)}  ` +
    `${`${r.modes_found}/${r.modes_total}`.padStart(11)}`
  );
}

mkdirSync(outDir, { recursive: true });
const date = new Date().toISOString().slice(0, 10);
const md = [
  `# Objectives on the 4D hypergrid (R0 = 0.01)`,
  '',
  `Measured ${date} with \`pnpm bench:objectives\`. ${header}.`,
  'Exact L1 is the sum over the 4096 terminating states of |p(x) - R(x)/Z|, computed by dynamic',
  'programming over the DAG from the trained policy (no sampling noise). it/s counts training',
  'iterations only (sampling, loss, Adam step), not the evaluations.',
  '',
  '| objective | it/s | exact L1 after 8k trajectories | exact L1 after 32k trajectories | modes found after 32k |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.objective} | ${r.iterations_per_second.toFixed(1)} | ${r.l1_8k.toFixed(4)} | ${r.l1_32k.toFixed(4)} | ${r.modes_found}/${r.modes_total} |`,
  ),
  '',
].join('\n');
writeFileSync(join(outDir, 'objectives.md'), md);
writeFileSync(
  join(outDir, 'objectives.json'),
  `${JSON.stringify({ date, setup: header, rows }, null, 2)}\n`,
);
console.log(`written to ${join(outDir, 'objectives.md')} and objectives.json`);
