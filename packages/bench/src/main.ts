/**
 * `pnpm bench`: the benchmark harness. Prints figures and writes them to bench/results
 * (bench.json, bench.md, bench.svg); asserts nothing.
 *
 *   speed    TB, DB, SubTB (uniform, trunk-head and separate backward policies) and FM on 2D H8
 *            and 4D H8 at batch 16 and 128: median iterations/s over repeated blocks,
 *            trajectories/s, env steps/s, and the compute floor (the same matrix multiplications
 *            alone, timed in the same process) with the ratio to it; the peers' figures beside.
 *   l1       exact L1 (sum convention) after 8k and 32k trajectories, 4D H8, batch 16.
 *   scaling  TB on 2D H8: batch 16 to 1024, and height 8 to 64 at batch 16.
 *   envs     env steps/s without a network: hand-written and spec-compiled hypergrid, the
 *            molecule env; and TB training it/s on both hypergrids.
 *
 *   pnpm bench [--sections speed,l1,scaling,envs] [--only TEXT] [--repeats N] [--seconds S]
 *              [--quick] [--backend wasm|cpu|node] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type BackendName, type Reporter, createRun, initBackend } from '@gflownet/core';
import { HypergridEnv } from '@gflownet/core/testing';
import { HypergridSpecEnv } from '@gflownet/env-hypergrid';
import { benchArgs } from './args.js';
import { L1_AT, L1_CONFIGS, PEERS, type SpeedConfig, speedConfigs } from './configs.js';
import { envStepsPerSecond } from './env-steps.js';
import { type Speed, hypergridRun, measureSpeed } from './measure.js';
import { type BarRow, barChart, lineChart, svgDocument } from './svg.js';

const HELP = `pnpm bench [options]: training speed, compute floor, exact L1 and scaling; writes
bench/results/bench.{json,md,svg}. Prints figures and asserts nothing.

  --sections LIST   speed,l1,scaling,envs (default: all)
  --only TEXT       only the speed and l1 rows whose label contains TEXT (e.g. "tb 4D")
  --repeats N       timed blocks per configuration; the median counts (default 5)
  --seconds S       length of a block (default 1)
  --quick           2 blocks of 0.3 s, no l1, a shorter scaling (a smoke run)
  --backend NAME    wasm, cpu or node (default: the best that loads)
  --out DIR         where to write the results (default bench/results)
  --help            this text`;

const { flag, has } = benchArgs(HELP);
const quick = has('quick');
const sections = new Set(
  (flag('sections') ?? (quick ? 'speed,scaling,envs' : 'speed,l1,scaling,envs')).split(','),
);
const only = flag('only');
const repeats = Number(flag('repeats') ?? (quick ? 2 : 5));
const seconds = Number(flag('seconds') ?? (quick ? 0.3 : 1));
const outDir = flag('out') ?? 'bench/results';
const speedOptions = { repeats, seconds, warmup: quick ? 3 : 10 };

const backend = await initBackend(flag('backend') as BackendName | undefined);
const machine = `${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}`;
const setup =
  `backend ${backend.name} (${backend.detail}); ${machine}; Node ${process.version}; ` +
  `MLP 2x256, R0/R1/R2 0.1/0.5/2, Adam lr 1e-3; median of ${repeats} blocks of ${seconds} s`;
console.log(setup);

const fmt = (v: number, digits = 1): string => v.toFixed(digits);
const pad = (s: string, n: number): string => s.padStart(n);

interface SpeedRow extends Speed {
  label: string;
  floorRatio: number;
  peer: string | null;
  peerItPerSec: number | null;
  peerRatio: number | null;
}

async function speedOf(c: SpeedConfig, env = 'hypergrid'): Promise<SpeedRow> {
  const run = await hypergridRun(c, { env });
  const speed = await measureSpeed(run, speedOptions);
  await run.close();
  const peer = PEERS[c.label];
  return {
    label: c.label,
    ...speed,
    floorRatio: 1000 / speed.floorMs / speed.itPerSec,
    peer: peer?.peer ?? null,
    peerItPerSec: peer?.itPerSec ?? null,
    peerRatio: peer ? speed.itPerSec / peer.itPerSec : null,
  };
}

function printSpeedHeader(): void {
  console.log(
    `${'configuration'.padEnd(30)} ${pad('it/s', 7)} ${pad('traj/s', 8)} ${pad('steps/s', 9)} ` +
      `${pad('floor ms', 9)} ${pad('GFLOP/it', 9)} ${pad('x floor', 8)}  peer`,
  );
}

function printSpeed(r: SpeedRow): void {
  const peer = r.peer ? `${r.peer} ${r.peerItPerSec} it/s, ratio ${fmt(r.peerRatio!, 2)}` : '';
  console.log(
    `${r.label.padEnd(30)} ${pad(fmt(r.itPerSec), 7)} ${pad(fmt(r.trajPerSec, 0), 8)} ` +
      `${pad(fmt(r.stepsPerSec, 0), 9)} ${pad(fmt(r.floorMs, 2), 9)} ` +
      `${pad(fmt(r.floorFlop / 1e9, 3), 9)} ${pad(fmt(r.floorRatio, 2), 8)}  ${peer}`,
  );
}

const results: Record<string, unknown> = { date: new Date().toISOString(), setup };
const svg: string[] = [];
let svgHeight = 0;
const md: string[] = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} with \`pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}\`. ${setup}.`,
  '',
  'it/s counts training iterations (sampling, loss, gradient and Adam step; no evaluation). The',
  'compute floor is the time of the same matrix multiplications alone, on tensors of the same',
  'shapes, timed in the same process; "x floor" is how many times slower the whole iteration is.',
  "Peer figures were measured on this machine on 2026-11-28 with the peers' own code, one process",
  'at a time, like for like; this harness does not rerun them.',
  '',
];

if (sections.has('speed')) {
  console.log('\n# speed');
  printSpeedHeader();
  const rows: SpeedRow[] = [];
  for (const c of speedConfigs().filter((c) => !only || c.label.includes(only))) {
    const row = await speedOf(c);
    rows.push(row);
    printSpeed(row);
  }
  results['speed'] = rows;
  md.push(
    '## Training speed',
    '',
    '| configuration | it/s | trajectories/s | env steps/s | floor ms/it | x floor | peer | peer it/s | ratio to peer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${fmt(r.itPerSec)} | ${fmt(r.trajPerSec, 0)} | ${fmt(r.stepsPerSec, 0)} | ` +
        `${fmt(r.floorMs, 2)} | ${fmt(r.floorRatio, 2)} | ${r.peer ?? ''} | ${r.peerItPerSec ?? ''} | ` +
        `${r.peerRatio === null ? '' : fmt(r.peerRatio, 2)} |`,
    ),
    '',
  );
  const bars: BarRow[] = rows.map((r) => ({
    label: r.label,
    value: r.itPerSec,
    ceiling: 1000 / r.floorMs,
    ...(r.peerItPerSec ? { peer: r.peerItPerSec } : {}),
  }));
  svg.push(
    barChart(
      'Training iterations/s (bar), compute floor (red tick), peer (dot)',
      'it/s',
      bars,
      svgHeight,
    ),
  );
  svgHeight += 26 + bars.length * 14 + 30;
}

if (sections.has('l1')) {
  console.log(
    `\n# exact L1 (sum over x of |p(x) - R(x)/Z|) after ${L1_AT.join(' and ')} trajectories`,
  );
  const rows: { label: string; l1: Record<string, number>; itPerSec: number }[] = [];
  for (const c of L1_CONFIGS.filter((c) => !only || c.label.includes(only))) {
    const run = await hypergridRun(c, {
      iterations: L1_AT.at(-1)! / c.batch,
      evalEvery: L1_AT[0] / c.batch,
      seed: 0,
    });
    const l1: Record<string, number> = {};
    const collect: Reporter = {
      onEval: (r) => {
        if ((L1_AT as readonly number[]).includes(r.trajectories)) {
          l1[String(r.trajectories)] = r['l1_exact']!;
        }
      },
    };
    const result = await run.train({ reporters: [collect] });
    await run.close();
    const row = { label: c.label, l1, itPerSec: result.iterations / result.seconds };
    rows.push(row);
    console.log(
      `${c.label.padEnd(30)} ${L1_AT.map((t) => `L1 @${t / 1000}k ${fmt(l1[String(t)] ?? NaN, 4)}`).join('  ')}  (${fmt(row.itPerSec)} it/s)`,
    );
  }
  results['l1'] = rows;
  md.push(
    '## Exact L1 (4D H8, batch 16, seed 0)',
    '',
    `| configuration | ${L1_AT.map((t) => `L1 after ${t / 1000}k trajectories`).join(' | ')} |`,
    `| --- | ${L1_AT.map(() => '---:').join(' | ')} |`,
    ...rows.map(
      (r) => `| ${r.label} | ${L1_AT.map((t) => fmt(r.l1[String(t)] ?? NaN, 4)).join(' | ')} |`,
    ),
    '',
  );
}

if (sections.has('scaling')) {
  console.log('\n# scaling: TB, uniform backward policy, 2D');
  printSpeedHeader();
  const batches = quick ? [16, 128] : [16, 64, 256, 1024];
  const heights = quick ? [8, 32] : [8, 16, 32, 64];
  const byBatch: SpeedRow[] = [];
  for (const batch of batches) {
    const c: SpeedConfig = {
      label: `tb 2D H8 b${batch} uniform`,
      loss: 'tb',
      ndim: 2,
      height: 8,
      batch,
      backward: 'uniform',
    };
    const row = await speedOf(c);
    byBatch.push(row);
    printSpeed(row);
  }
  const byHeight: SpeedRow[] = [];
  for (const height of heights) {
    const c: SpeedConfig = {
      label: `tb 2D H${height} b16 uniform`,
      loss: 'tb',
      ndim: 2,
      height,
      batch: 16,
      backward: 'uniform',
    };
    const row = await speedOf(c);
    byHeight.push(row);
    printSpeed(row);
  }
  results['scaling'] = { byBatch, byHeight };
  md.push(
    '## Scaling (TB, uniform backward policy, 2D)',
    '',
    '| configuration | it/s | trajectories/s | env steps/s | mean length | x floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...byBatch, ...byHeight].map(
      (r) =>
        `| ${r.label} | ${fmt(r.itPerSec)} | ${fmt(r.trajPerSec, 0)} | ${fmt(r.stepsPerSec, 0)} | ${fmt(r.meanLength)} | ${fmt(r.floorRatio, 2)} |`,
    ),
    '',
  );
  svg.push(
    lineChart(
      'Batch size (2D H8)',
      'trajectories per iteration',
      'per second',
      [
        { name: 'trajectories/s', points: byBatch.map((r, i) => [batches[i]!, r.trajPerSec]) },
        {
          name: 'floor traj/s',
          points: byBatch.map((r, i) => [batches[i]!, (1000 / r.floorMs) * batches[i]!]),
        },
      ],
      0,
      svgHeight,
    ),
    lineChart(
      'Trajectory length (2D, batch 16)',
      'grid height',
      'per second',
      [
        { name: 'env steps/s', points: byHeight.map((r, i) => [heights[i]!, r.stepsPerSec]) },
        { name: 'it/s', points: byHeight.map((r, i) => [heights[i]!, r.itPerSec]) },
      ],
      460,
      svgHeight,
    ),
  );
  svgHeight += 240;
}

if (sections.has('envs')) {
  console.log('\n# envs: batched env steps/s without a network (batch 1024), and TB training it/s');
  const rows: Record<string, number | string>[] = [];
  for (const ndim of [2, 4]) {
    const params = { ndim, height: 8, r0: 0.1, r1: 0.5, r2: 2 };
    const envSeconds = quick ? 0.5 : 2;
    const hand = await envStepsPerSecond(new HypergridEnv(params), 1024, envSeconds);
    const spec = await envStepsPerSecond(new HypergridSpecEnv(params), 1024, envSeconds);
    const c: SpeedConfig = {
      label: `tb ${ndim}D H8 b16 uniform`,
      loss: 'tb',
      ndim,
      height: 8,
      batch: 16,
      backward: 'uniform',
    };
    const trainSpec = await speedOf(c);
    const trainHand = await speedOf(c, 'hypergrid-ts');
    const row = {
      env: `hypergrid ${ndim}D H8`,
      handStepsPerSec: hand,
      specStepsPerSec: spec,
      handItPerSec: trainHand.itPerSec,
      specItPerSec: trainSpec.itPerSec,
    };
    rows.push(row);
    console.log(
      `${row.env}: env steps/s hand-written ${fmt(hand / 1e6, 2)} M, spec ${fmt(spec / 1e6, 2)} M ` +
        `(${fmt(spec / hand, 2)}x); TB b16 it/s hand-written ${fmt(trainHand.itPerSec)}, spec ${fmt(trainSpec.itPerSec)}`,
    );
  }
  const { moleculeModule } = await import('@gflownet/env-molecule/module');
  // The molecule env: steps/s without a network, then TB training with 0, 1 and 2 actor threads
  // (sampling, RDKit scoring, the objective's preparation and the tracker's summary move to them).
  for (const workers of quick ? [0] : [0, 1, 2]) {
    const molecule = await createRun(
      {
        env: 'molecule',
        envParams: { mode: 'fragments', reward: 'qed' },
        loss: 'tb',
        batchSize: 32,
        workers,
      },
      [moleculeModule],
      { modules: ['@gflownet/env-molecule/module'] },
    );
    const molSteps =
      workers === 0 ? await envStepsPerSecond(molecule.env, 256, quick ? 1 : 3) : NaN;
    const molSpeed = await measureSpeed(molecule, {
      repeats: quick ? 1 : 3,
      seconds: quick ? 1 : 5,
      warmup: 2,
    });
    await molecule.close();
    rows.push({
      env: `molecule fragments (QED), ${workers} worker${workers === 1 ? '' : 's'}`,
      stepsPerSec: molSteps,
      tbItPerSec: molSpeed.itPerSec,
      tbTrajPerSec: molSpeed.trajPerSec,
    });
    console.log(
      `molecule fragments (QED), ${workers} worker${workers === 1 ? '' : 's'}: ` +
        (workers === 0
          ? `env steps/s ${fmt(molSteps, 0)} (batch 256, RDKit scoring included); `
          : '') +
        `TB b32 ${fmt(molSpeed.itPerSec, 2)} it/s, ${fmt(molSpeed.trajPerSec, 1)} molecules/s`,
    );
  }
  results['envs'] = rows;
  md.push(
    '## Envs',
    '',
    'Env steps/s: batched random rollouts without a network (mask, featurize, step, and the',
    'reward of the states that stop). Training: TB, batch 16 (hypergrid) or 32 (molecule).',
    '',
    '| env | env steps/s | training |',
    '| --- | ---: | --- |',
    ...rows.map((r) =>
      'specStepsPerSec' in r
        ? `| ${r['env']} | hand-written ${fmt(Number(r['handStepsPerSec']) / 1e6, 2)} M, spec ${fmt(Number(r['specStepsPerSec']) / 1e6, 2)} M | hand-written ${fmt(Number(r['handItPerSec']))} it/s, spec ${fmt(Number(r['specItPerSec']))} it/s |`
        : `| ${r['env']} | ${Number.isNaN(Number(r['stepsPerSec'])) ? '' : fmt(Number(r['stepsPerSec']), 0)} | ${fmt(Number(r['tbItPerSec']), 2)} it/s, ${fmt(Number(r['tbTrajPerSec']), 1)} molecules/s |`,
    ),
    '',
  );
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'bench.md'), md.join('\n'));
if (svg.length > 0) writeFileSync(join(outDir, 'bench.svg'), svgDocument(920, svgHeight + 10, svg));
console.log(
  `\nwritten to ${join(outDir, 'bench.json')}, bench.md${svg.length ? ' and bench.svg' : ''}`,
);
