import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type QedProperties, QedCalculator, qedFromProperties } from './qed.js';
import { type RDKit, loadRDKit, withMol } from './rdkit.js';

interface Reference {
  rdkit: string;
  molecules: { smiles: string; qed: number; properties: QedProperties }[];
}

// Reference values from RDKit's Python QED module (scripts/qed-reference.py, Debian's python3-rdkit).
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../test-data/qed-reference.json'), 'utf8'),
) as Reference;

let rdkit: RDKit;
let calc: QedCalculator;
beforeAll(async () => {
  rdkit = await loadRDKit();
  calc = new QedCalculator(rdkit);
});
afterAll(() => calc.dispose());

describe('QED', () => {
  it('covers at least 100 varied molecules', () => {
    expect(reference.molecules.length).toBeGreaterThanOrEqual(100);
  });

  it.each(reference.molecules.map((m) => [m.smiles, m]))(
    'agrees with RDKit within 1e-3 for %s',
    (_smiles, m) => {
      const value = withMol(rdkit, m.smiles, (mol) => {
        expect(mol).not.toBeNull();
        return calc.qed(mol!);
      });
      expect(Math.abs(value - m.qed)).toBeLessThan(1e-3);
    },
  );

  it('combines the reference properties into the reference QED exactly', () => {
    for (const m of reference.molecules) {
      expect(qedFromProperties(m.properties)).toBeCloseTo(m.qed, 10);
    }
  });
});
