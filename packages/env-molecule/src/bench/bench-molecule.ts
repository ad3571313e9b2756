/**
 * Trains a GFlowNet on the fragments env with the QED reward (R = QED^beta), then samples the
 * same number of molecules from it and from a uniform random policy (uniform over the allowed
 * actions of each state) and prints, side by side: top-100 mean QED over distinct molecules,
 * modes (QED >= 0.8, Tanimoto similarity < 0.7 to every earlier mode), unique fraction, mean QED,
 * and molecules sampled and scored per second. Then keeps sampling from the trained policy to
 * 50,000 molecules and prints the resident memory at 10,000 and 50,000. Writes
 * bench/results/molecule.md and .json. Asserts nothing.
 *
 *   pnpm bench:molecule [--iterations N] [--batch-size N] [--beta X] [--samples N]
 *                       [--memory-samples N] [--seed N] [--backend wasm|cpu|node] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  type DiscreteEnv,
  RUN_DEFAULTS,
  type Reporter,
  Rng,
  createRun,
  initBackend,
} from '@gflownet/core';
import { sampleTerminalStates } from '@gflownet/core/metrics';
import { morganFingerprint } from '../chem/fingerprint.js';
import { QedCalculator } from '../chem/qed.js';
import { loadRDKit, withMol } from '../chem/rdkit.js';
import { ModeCounter, summarizeSamples } from '../metrics.js';
import { MOLECULE_DEFAULTS, moleculeModule } from '../module.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const text = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const iterations = flag('iterations', 1000);
const batchSize = flag('batch-size', 32);
const beta = flag('beta', MOLECULE_DEFAULTS.beta);
const samples = flag('samples', 10_000);
const memorySamples = flag('memory-samples', 50_000);
const seed = flag('seed', 0);
const outDir = text('out') ?? 'bench/results';
const MODE_QED = 0.8;

const backend = await initBackend(text('backend') as 'node' | 'wasm' | 'cpu' | undefined);
const rdkit = await loadRDKit();
const qed = new QedCalculator(rdkit);
const header =
  `fragments env (default vocabulary, 2-8 fragments), reward QED^${beta}; TB, batch ${batchSize}, ` +
  `${iterations} iterations, MLP 2x256, lr 1e-3, log Z lr ${RUN_DEFAULTS.lrLogZ}; seed ${seed}; ` +
  `backend ${backend.name}; ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}`;
console.log(header);

const run = await createRun(
  {
    env: 'molecule',
    envParams: { mode: 'fragments', reward: 'qed', beta },
    loss: 'tb',
    iterations,
    batchSize,
    seed,
    backend: backend.name,
    evalEvery: Math.max(1, Math.floor(iterations / 10)),
  },
  [moleculeModule],
);
const progress: Reporter = {
  onStep: (r) => {
    if (r.iteration % Math.max(1, Math.floor(iterations / 20)) === 0) {
      process.stderr.write(`iteration ${r.iteration}/${iterations}  loss ${r.loss.toFixed(3)}\n`);
    }
  },
};
const trained = await run.train({ reporters: [progress] });
console.log(
  `trained in ${trained.seconds.toFixed(0)} s (${(trained.iterations / trained.seconds).toFixed(2)} it/s, ` +
    `${trained.trajectories} molecules sampled while training)`,
);

interface Summary {
  molecules: number;
  seconds: number;
  molecules_per_second: number;
  unique_fraction: number;
  mean_qed: number;
  top100_mean_qed: number;
  modes: number;
  top100_similarity: number;
}

function summarize(smiles: readonly string[], seconds: number): Summary {
  const modes = new ModeCounter(MODE_QED);
  const distinct = new Map<string, { qed: number; fp: Uint8Array }>();
  const samples = smiles.map((s) => {
    let scored = distinct.get(s);
    if (!scored) {
      scored = withMol(rdkit, s, (mol) => ({ qed: qed.qed(mol!), fp: morganFingerprint(mol!) }));
      distinct.set(s, scored);
    }
    modes.observe(scored.qed, scored.fp);
    return { smiles: s, reward: scored.qed, fp: scored.fp };
  });
  const summary = summarizeSamples(samples);
  return {
    molecules: smiles.length,
    seconds,
    molecules_per_second: smiles.length / seconds,
    unique_fraction: summary.unique_fraction,
    mean_qed: samples.reduce((sum, x) => sum + x.reward, 0) / samples.length,
    top100_mean_qed: summary.top100_mean,
    modes: modes.count,
    top100_similarity: summary.top100_similarity,
  };
}

/** Samples from the trained policy and scores (QED), timing both. */
async function sampleTrained(
  n: number,
  stream: number,
): Promise<{ smiles: string[]; seconds: number }> {
  const t0 = performance.now();
  const states = await sampleTerminalStates(run.model, n, seed + stream);
  const smiles = run.env.objectText!(states, n);
  for (const s of smiles) withMol(rdkit, s, (mol) => qed.qed(mol!));
  return { smiles, seconds: (performance.now() - t0) / 1000 };
}

/** A uniform random policy: every allowed action of a state equally likely. */
function sampleUniform(env: DiscreteEnv, n: number): { smiles: string[]; seconds: number } {
  const t0 = performance.now();
  const rng = new Rng(seed + 1);
  const mask = new Uint8Array(env.numActions);
  const smiles: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = env.initialState.slice();
    for (;;) {
      env.forwardMask(s, 1, mask);
      const allowed: number[] = [];
      mask.forEach((m, a) => m && allowed.push(a));
      const a = allowed[rng.int(allowed.length)]!;
      if (a === env.exitAction) break;
      const next = new Int32Array(env.stateDim);
      env.step(s, Int32Array.of(a), 1, next);
      s = next;
    }
    const [m] = env.objectText!(s, 1);
    withMol(rdkit, m!, (mol) => qed.qed(mol!));
    smiles.push(m!);
  }
  return { smiles, seconds: (performance.now() - t0) / 1000 };
}

const gfn = await sampleTrained(samples, 101);
const uniform = sampleUniform(run.env, samples);
const results = {
  gflownet: summarize(gfn.smiles, gfn.seconds),
  uniform: summarize(uniform.smiles, uniform.seconds),
};

const rows: [string, (s: Summary) => string][] = [
  ['molecules', (s) => String(s.molecules)],
  ['top-100 mean QED (distinct)', (s) => s.top100_mean_qed.toFixed(4)],
  [`modes (QED >= ${MODE_QED}, Tanimoto < 0.7)`, (s) => String(s.modes)],
  ['mean QED', (s) => s.mean_qed.toFixed(4)],
  ['unique fraction', (s) => s.unique_fraction.toFixed(4)],
  ['top-100 mean pairwise Tanimoto', (s) => s.top100_similarity.toFixed(4)],
  ['molecules sampled+scored per s', (s) => s.molecules_per_second.toFixed(1)],
];
const table = [
  `| | trained GFlowNet | uniform random policy |`,
  `|---|---|---|`,
  ...rows.map(([name, f]) => `| ${name} | ${f(results.gflownet)} | ${f(results.uniform)} |`),
];
console.log(table.join('\n'));

// Memory: keep sampling from the trained policy in chunks and read the resident set size.
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const memory: { molecules: number; rss_mb: number }[] = [];
const chunk = 2000;
let sampled = 0;
const checkpoints = [10_000, memorySamples].filter((c, i, a) => a.indexOf(c) === i);
const t0 = performance.now();
for (let stream = 1000; sampled < memorySamples; stream++) {
  await sampleTrained(Math.min(chunk, memorySamples - sampled), stream);
  sampled += Math.min(chunk, memorySamples - sampled);
  if (checkpoints.includes(sampled)) {
    (globalThis as { gc?: () => void }).gc?.();
    memory.push({ molecules: sampled, rss_mb: rssMb() });
    console.log(`resident memory after ${sampled} molecules: ${rssMb().toFixed(0)} MB`);
  }
}
const memorySeconds = (performance.now() - t0) / 1000;
console.log(
  `${memorySamples} molecules sampled and scored in ${memorySeconds.toFixed(0)} s (${(memorySamples / memorySeconds).toFixed(1)} per s)`,
);

mkdirSync(outDir, { recursive: true });
const json = {
  header,
  training: {
    iterations: trained.iterations,
    seconds: trained.seconds,
    molecules: trained.trajectories,
    sample_metrics: trained.samples,
  },
  ...results,
  memory,
};
writeFileSync(join(outDir, 'molecule.json'), `${JSON.stringify(json, null, 2)}\n`);
const md = [
  '# Molecule benchmark',
  '',
  header,
  '',
  `Trained in ${trained.seconds.toFixed(0)} s. Then ${samples} molecules from each policy:`,
  '',
  ...table,
  '',
  ...memory.map(
    (m) => `Resident memory after ${m.molecules} molecules: ${m.rss_mb.toFixed(0)} MB.`,
  ),
  '',
];
writeFileSync(join(outDir, 'molecule.md'), md.join('\n'));
console.log(`wrote ${join(outDir, 'molecule.md')} and molecule.json`);
qed.dispose();
