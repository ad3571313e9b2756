import { QedCalculator } from './chem/qed.js';
import { type RDKit, descriptors, withMol } from './chem/rdkit.js';

/** Longest SMILES the scorer parses; longer lines get an error instead of reaching RDKit. */
export const MAX_SMILES_LENGTH = 5000;
/**
 * Most atoms the scorer hands to RDKit. RDKit MinimalLib's parser recurses along chains and its
 * WASM memory faults (for good) somewhere past 500 chain atoms; drug-like molecules have < 100.
 */
export const MAX_SMILES_ATOMS = 300;

/** Atoms written in a SMILES (bracket atoms, organic-subset symbols, aromatic symbols). */
export function countSmilesAtoms(smiles: string): number {
  // Dummy atoms ('*') count: a long run of them is what faults RDKit's WASM build.
  return smiles.match(/\[[^\]]*\]|Br|Cl|[BCNOPSFI]|[bcnops]|\*/g)?.length ?? 0;
}

export interface ScoreRow {
  smiles: string;
  canonical: string | null;
  valid: boolean;
  qed: number | null;
  logp: number | null;
  mw: number | null;
  heavy_atoms: number | null;
  error?: string;
  /** Set when RDKit itself faulted on this input: its WASM instance must be replaced. */
  fault?: true;
}

/**
 * Scores one SMILES for `gfn molecule score`: its canonical form, QED, Crippen logP, molecular
 * weight and heavy atoms, or `valid: false` with the reason. Never throws for bad input.
 */
export function scoreSmiles(rdkit: RDKit, qed: QedCalculator, line: string): ScoreRow {
  const smiles = line.trim();
  const invalid = (error: string): ScoreRow => ({
    smiles,
    canonical: null,
    valid: false,
    qed: null,
    logp: null,
    mw: null,
    heavy_atoms: null,
    error,
  });
  if (smiles === '') return invalid('empty line');
  if (smiles.length > MAX_SMILES_LENGTH) {
    return invalid(`SMILES longer than ${MAX_SMILES_LENGTH} characters`);
  }
  const atoms = countSmilesAtoms(smiles);
  if (atoms > MAX_SMILES_ATOMS) {
    return invalid(`molecule too large: ${atoms} atoms (at most ${MAX_SMILES_ATOMS})`);
  }
  try {
    return withMol(rdkit, smiles, (mol) => {
      if (!mol) return invalid('RDKit cannot parse or sanitize this SMILES');
      const d = descriptors(mol);
      return {
        smiles,
        canonical: mol.get_smiles(),
        valid: true,
        qed: qed.qed(mol),
        logp: d.CrippenClogP,
        mw: d.amw,
        heavy_atoms: d.NumHeavyAtoms,
      };
    });
  } catch (err) {
    if (isWasmFault(err)) return { ...invalid('RDKit faulted on this input'), fault: true };
    return invalid(`RDKit failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An exception or trap from inside a WebAssembly module (RDKit's state is then undefined). */
export function isWasmFault(err: unknown): boolean {
  const wasm =
    (globalThis as unknown as { WebAssembly?: Record<string, unknown> }).WebAssembly ?? {};
  return Object.values({ e: wasm['Exception'], r: wasm['RuntimeError'] }).some(
    (type) => typeof type === 'function' && err instanceof (type as new () => unknown),
  );
}
