import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { morganFingerprint, tanimoto } from './chem/fingerprint.js';
import { QedCalculator } from './chem/qed.js';
import { type RDKit, loadRDKit, withMol } from './chem/rdkit.js';
import { ModeCounter, summarizeSamples, topKMean } from './metrics.js';
import { LogPScorer, shapedLogReward } from './rewards.js';
import { MAX_SMILES_ATOMS, isWasmFault, scoreSmiles } from './score.js';

interface Reference {
  molecules: { smiles: string; qed: number; properties: { MW: number; ALOGP: number } }[];
}
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '../test-data/qed-reference.json'), 'utf8'),
) as Reference;

let rdkit: RDKit;
let qed: QedCalculator;
beforeAll(async () => {
  rdkit = await loadRDKit();
  qed = new QedCalculator(rdkit);
});
afterAll(() => qed.dispose());

const fp = (smiles: string) => withMol(rdkit, smiles, (mol) => morganFingerprint(mol!));

describe('scoring SMILES', () => {
  it("reports QED, Crippen logP and weight as RDKit's Python API does", () => {
    for (const m of reference.molecules) {
      const row = scoreSmiles(rdkit, qed, m.smiles);
      expect(row.valid).toBe(true);
      expect(row.qed!).toBeCloseTo(m.qed, 6);
      expect(row.logp!).toBeCloseTo(m.properties.ALOGP, 6);
      expect(row.mw!).toBeCloseTo(m.properties.MW, 3);
    }
  });

  it('turns bad input into an error row and keeps working', () => {
    const cases: [string, string][] = [
      ['', 'empty line'],
      ['   ', 'empty line'],
      ['not-a-smiles', 'RDKit cannot parse or sanitize this SMILES'],
      ['C1CC', 'RDKit cannot parse or sanitize this SMILES'],
      ['C(C)(C)(C)(C)C', 'RDKit cannot parse or sanitize this SMILES'],
      ['C'.repeat(6000), 'SMILES longer than 5000 characters'],
      ['C'.repeat(1500), `molecule too large: 1500 atoms (at most ${MAX_SMILES_ATOMS})`],
    ];
    for (const [input, error] of cases) {
      const row = scoreSmiles(rdkit, qed, input);
      expect(row).toMatchObject({ valid: false, canonical: null, qed: null, error });
    }
    expect(scoreSmiles(rdkit, qed, 'OCC').canonical).toBe('CCO');
  });
});

describe('fingerprints and molecule metrics', () => {
  it('match RDKit Morgan fingerprints (radius 2, 2048 bits) and Tanimoto similarity', () => {
    const aspirin = fp('CC(=O)Oc1ccccc1C(=O)O');
    const paracetamol = fp('CC(=O)Nc1ccc(O)cc1');
    expect(aspirin.length).toBe(256);
    // RDKit Python: 24 bits on; Tanimoto 2/9.
    expect(tanimoto(aspirin, aspirin)).toBe(1);
    expect(tanimoto(aspirin, paracetamol)).toBeCloseTo(2 / 9, 12);
  });

  it('count a mode only above the threshold and unlike every earlier mode', () => {
    const modes = new ModeCounter(0.5);
    expect(modes.observe(0.9, fp('CC(=O)Oc1ccccc1C(=O)O'))).toBe(true);
    expect(modes.observe(0.9, fp('CC(=O)Oc1ccccc1C(=O)O'))).toBe(false); // similarity 1
    expect(modes.observe(0.4, fp('CCCCCCCCO'))).toBe(false); // below the threshold
    expect(modes.observe(0.6, fp('CC(=O)Nc1ccc(O)cc1'))).toBe(true);
    expect(modes.count).toBe(2);
  });

  it('summarize samples: validity, uniqueness, top-k over distinct molecules, diversity', () => {
    expect(topKMean([1, 5, 3], 2)).toBe(4);
    expect(topKMean([1, 5, 3], 10)).toBe(3);
    const s = summarizeSamples([
      { smiles: 'CCO', reward: 0.4, fp: fp('CCO') },
      { smiles: 'CCO', reward: 0.4, fp: fp('CCO') },
      { smiles: 'c1ccccc1', reward: 0.8, fp: fp('c1ccccc1') },
      { smiles: null, reward: 0, fp: null },
    ]);
    expect(s.valid_fraction).toBe(0.75);
    expect(s.unique_fraction).toBeCloseTo(2 / 3, 12);
    expect(s.top10_mean).toBeCloseTo(0.6, 12);
    expect(s.top100_similarity).toBe(0);
  });

  it('shape rewards: a floor, an exponent, and a size penalty on logP', () => {
    expect(shapedLogReward(0.5, { beta: 4, floor: 1e-3 })).toBeCloseTo(4 * Math.log(0.5), 12);
    expect(shapedLogReward(0, { beta: 4, floor: 1e-3 })).toBeCloseTo(4 * Math.log(1e-3), 12);
    const logp = new LogPScorer(5, 1);
    const chain = (n: number) => withMol(rdkit, 'C'.repeat(n), (mol) => logp.score(mol!));
    expect(chain(5)).toBeGreaterThan(chain(4));
    expect(chain(12)).toBeLessThan(chain(5)); // 7 atoms over the size cost more than they add
  });
});

describe('gfn molecule score', () => {
  const GFN = resolve(import.meta.dirname, '../../cli/bin/gfn.js');
  it('prints one JSON object per input line, errors included, and exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gfn-score-'));
    try {
      const file = join(dir, 'in.smi');
      // 600 dummy atoms faulted RDKit's WASM build, and every later line came out invalid.
      const lines = ['CCO', '', 'not-a-smiles', 'C'.repeat(1500), '*'.repeat(600), 'c1ccccc1', ''];
      writeFileSync(file, lines.join('\n'));
      const r = spawnSync(process.execPath, [GFN, 'molecule', 'score', file], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.map((x) => x['valid'])).toEqual([true, false, false, false, false, true]);
      expect(rows[4]!['error']).toContain('molecule too large: 600 atoms');
      expect(rows[5]).toMatchObject({ canonical: 'c1ccccc1', heavy_atoms: 6 });
      const missing = spawnSync(process.execPath, [GFN, 'molecule', 'score', join(dir, 'nope')], {
        encoding: 'utf8',
      });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('does not exist');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends valid molecules to an --oracle program once, caches its scores, and never invents one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gfn-oracle-'));
    try {
      const file = join(dir, 'in.smi');
      writeFileSync(file, ['CCO', 'not-a-smiles', 'c1ccccc1', 'OCC', 'CCN'].join('\n'));
      // A docking stand-in: the SMILES length over 10; it cannot score CCN; it logs its input.
      const oracle = join(dir, 'oracle.mjs');
      writeFileSync(
        oracle,
        `import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (l) => {
  appendFileSync(${JSON.stringify(join(dir, 'seen.txt'))}, l + '\\n');
  process.stdout.write(l === 'CCN' ? 'error\\n' : l.length / 10 + '\\n');
});
`,
      );
      const score = () =>
        spawnSync(
          process.execPath,
          [
            GFN,
            'molecule',
            'score',
            file,
            '--oracle',
            `command:${process.execPath} ${oracle}`,
            '--oracle-cache',
            join(dir, 'cache.jsonl'),
          ],
          { encoding: 'utf8' },
        );
      const first = score();
      expect(first.status).toBe(0);
      const rows = first.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows.map((x) => x['oracle'])).toEqual([0.3, undefined, 0.8, 0.3, null]);
      expect(rows[4]!['oracle_error']).toBe('the oracle gave no score');
      // CCO and OCC are one molecule (canonical CCO): sent once.
      expect(readFileSync(join(dir, 'seen.txt'), 'utf8').trim().split('\n')).toEqual([
        'CCO',
        'c1ccccc1',
        'CCN',
      ]);
      expect(first.stderr).toContain('1 calls, 0 cache hits, 1 molecules without a score');
      const second = score();
      expect(second.status).toBe(0);
      expect(second.stderr).toContain('1 calls, 3 cache hits');
      expect(readFileSync(join(dir, 'seen.txt'), 'utf8').trim().split('\n')).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('an RDKit fault', () => {
  it('is told apart from a bad SMILES, so that the caller replaces the WASM instance', async () => {
    const rdkit = await loadRDKit();
    const qed = new QedCalculator(rdkit);
    const wasm = (globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } })
      .WebAssembly;
    const trapping = {
      ...rdkit,
      get_mol: () => {
        throw new wasm.RuntimeError('unreachable');
      },
    } as unknown as RDKit;
    expect(scoreSmiles(trapping, qed, 'CCO')).toMatchObject({ valid: false, fault: true });
    expect(scoreSmiles(rdkit, qed, 'C1CC')).not.toHaveProperty('fault');
    expect(isWasmFault(new Error('x'))).toBe(false);
    qed.dispose();
  });
});
