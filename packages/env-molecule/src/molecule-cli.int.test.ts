import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError, initBackend } from '@gflownet/core';
import { QedCalculator } from './chem/qed.js';
import { type RDKit, canonicalSmiles, loadRDKit, withMol } from './chem/rdkit.js';
import { readScoresCsv } from './cli.js';
import { ProxyScorer, saveProxy, trainProxy } from './proxy.js';

const GFN = resolve(import.meta.dirname, '../../cli/bin/gfn.js');
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '../test-data/qed-reference.json'), 'utf8'),
) as { molecules: { smiles: string; qed: number }[] };

function gfn(...args: string[]) {
  return spawnSync(process.execPath, [GFN, ...args], { encoding: 'utf8' });
}

let dir: string;
let rdkit: RDKit;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-molecule-'));
  rdkit = await loadRDKit();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gfn train --env molecule', () => {
  it('trains on fragments with QED, reports molecule metrics, and samples SMILES', () => {
    const out = join(dir, 'run');
    const r = gfn(
      'train',
      '--env',
      'molecule',
      '--mode',
      'fragments',
      '--reward',
      'qed',
      '--iterations',
      '4',
      '--batch-size',
      '8',
      '--eval-every',
      '2',
      '--hidden',
      '64',
      '--out',
      out,
    );
    expect(r.stderr).not.toMatch(/at .*\.js/); // no stack trace
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/train it 2: molecules 16 {2}valid_fraction 1 /);
    expect(r.stdout).toContain('sampled during training: molecules 32');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      sample_metrics: Record<string, number>;
    };
    expect(summary.sample_metrics['molecules']).toBe(32);
    expect(summary.sample_metrics['top10_mean']).toBeGreaterThan(0);
    expect(summary.sample_metrics['top10_mean']).toBeLessThanOrEqual(1);
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((x) => x['kind'] === 'eval');
    expect(evals.map((e) => e['iteration'])).toEqual([2, 4]);
    expect(evals[1]).toHaveProperty('modes');

    const file = join(dir, 'samples.smi');
    const s = gfn('sample', '--run', out, '-n', '6', '--out', file);
    expect(s.status).toBe(0);
    const smiles = readFileSync(file, 'utf8').trim().split('\n');
    expect(smiles).toHaveLength(6);
    for (const m of smiles) expect(canonicalSmiles(rdkit, m)).toBe(m);

    const svg = join(dir, 'grid.svg');
    const d = gfn('molecule', 'draw', file, '--out', svg, '--top', '3', '--columns', '2');
    expect(d.status).toBe(0);
    const drawing = readFileSync(svg, 'utf8');
    expect(drawing.match(/<svg x="/g)).toHaveLength(Math.min(3, new Set(smiles).size));
    expect(drawing).toContain('QED 0.');

    // The report draws the best sampled molecules, captioned with their QED.
    const rep = gfn('report', out, '--samples', '40', '--top', '3');
    expect(rep.status).toBe(0);
    const top = readFileSync(join(out, 'report', 'top-objects.svg'), 'utf8');
    expect(top.match(/<svg x="/g)).toHaveLength(3);
    expect(top.match(/>qed (0\.\d{3}|<= 0\.01)</g)).toHaveLength(3);
  });

  it('gives clear errors for bad molecule parameters', () => {
    const bad = join(dir, 'bad-vocab.txt');
    writeFileSync(bad, '*C\n*c1ccc\n');
    const cases: [string[], string][] = [
      [
        ['--reward', 'nope'],
        "--reward (env 'molecule'): 'nope' is not one of 'logp', 'proxy', 'qed'",
      ],
      [['--mode', 'rings'], "'rings' is not one of 'atoms', 'fragments'"],
      [['--vocab', bad], `${bad}:2: '*c1ccc' is not a valid SMILES`],
      [['--vocab', join(dir, 'none.txt')], 'does not exist'],
      [['--reward', 'proxy'], '--reward proxy needs --proxy DIR'],
      [
        ['--reward', 'proxy', '--proxy', join(dir, 'no-model')],
        `proxy model directory '${join(dir, 'no-model')}' does not exist`,
      ],
      [
        ['--min-fragments', '5', '--max-fragments', '3'],
        '--min-fragments 5 is above --max-fragments 3',
      ],
    ];
    for (const [flags, message] of cases) {
      const r = gfn(
        'train',
        '--env',
        'molecule',
        '--iterations',
        '1',
        '--quiet',
        '--out',
        join(dir, 'x'),
        ...flags,
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/at .*\.js/);
    }
  });
});

describe('neural proxy', () => {
  it('learns QED from fingerprints well enough to rank the training molecules', async () => {
    await initBackend();
    const rows = reference.molecules.map((m) => ({ smiles: m.smiles, score: m.qed }));
    const { model, info } = await trainProxy(rdkit, rows, {
      epochs: 60,
      hidden: 64,
      lr: 3e-3,
      seed: 1,
      validation: 0,
    });
    const proxyDir = join(dir, 'proxy');
    await saveProxy(model, proxyDir, info);
    model.dispose();
    const scorer = new ProxyScorer(rdkit, proxyDir);
    const predicted = await scorer.score(rows.map((r) => r.smiles));
    scorer.dispose();
    const target = rows.map((r) => r.score);
    expect(correlation([...predicted], target)).toBeGreaterThan(0.9);
  });

  it('train-proxy writes a model that --reward proxy loads; bad CSV input gets clear errors', () => {
    const csv = join(dir, 'data.csv');
    const qed = new QedCalculator(rdkit);
    const lines = [
      'smiles,score',
      ...reference.molecules
        .slice(0, 60)
        .map((m) => `"${m.smiles}",${withMol(rdkit, m.smiles, (mol) => qed.qed(mol!))}`),
      'not-a-smiles,0.5',
      ',0.1',
    ];
    qed.dispose();
    writeFileSync(csv, lines.join('\n'));
    const model = join(dir, 'proxy-cli');
    const r = gfn(
      'molecule',
      'train-proxy',
      csv,
      '--out',
      model,
      '--epochs',
      '3',
      '--hidden',
      '32',
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ molecules: 60, skipped: 2 });
    expect(r.stderr).toContain('epoch 3/3');
    for (const f of ['model.json', 'weights.bin', 'proxy.json'])
      expect(existsSync(join(model, f))).toBe(true);
    const t = gfn(
      'train',
      '--env',
      'molecule',
      '--reward',
      'proxy',
      '--proxy',
      model,
      '--iterations',
      '2',
      '--batch-size',
      '4',
      '--hidden',
      '32',
      '--quiet',
      '--out',
      join(dir, 'proxy-run'),
    );
    expect(t.stderr).toBe(t.stderr.replace(/at .*\.js/, ''));
    expect(t.status).toBe(0);

    const broken = join(dir, 'broken');
    writeFileSync(join(dir, 'x.csv'), 'smiles,value\nCCO,1\n');
    expect(gfn('molecule', 'train-proxy', join(dir, 'x.csv'), '--out', broken).stderr).toContain(
      "no column 'score' (columns: smiles, value)",
    );
    expect(() => readScoresCsv('smiles,score\nCCO,abc\n', 'f.csv', 'smiles', 'score')).toThrow(
      "f.csv:2: score 'abc' is not a number",
    );
    expect(() => readScoresCsv('smiles,score\n', 'f.csv', 'smiles', 'score')).toThrow(UserError);
    expect(
      gfn('molecule', 'train-proxy', join(dir, 'missing.csv'), '--out', broken).stderr,
    ).toContain('does not exist');
  });
});

function correlation(x: readonly number[], y: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
