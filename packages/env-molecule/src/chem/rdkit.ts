import * as rdkitPackage from '@rdkit/rdkit';
import type { MainModule, Mol } from '@rdkit/rdkit';

export type RDKit = MainModule;
export type { Mol };

type Factory = () => Promise<MainModule>;
// The package is CommonJS: imported from ES modules, its factory is the default export.
const namespace = rdkitPackage as unknown as { default: Factory | { default: Factory } };
const factory: Factory =
  typeof namespace.default === 'function' ? namespace.default : namespace.default.default;

let loading: Promise<RDKit> | undefined;

/** RDKit MinimalLib (WASM), loaded once per process; its .wasm ships in the npm package. */
export function loadRDKit(): Promise<RDKit> {
  loading ??= factory().then((rdkit) => {
    rdkit.disable_logging();
    return rdkit;
  });
  return loading;
}

/**
 * A new RDKit instance in place of one that faulted (a WASM trap or exception leaves its memory
 * in an unknown state); later `loadRDKit` calls get the new one.
 */
export function reloadRDKit(): Promise<RDKit> {
  loading = undefined;
  return loadRDKit();
}

/**
 * Parses a SMILES (or molblock) and runs `fn` on the molecule, deleting it afterwards: every
 * RDKit molecule lives in WASM memory and is never collected. `fn` gets null when RDKit cannot
 * parse or sanitize the input.
 */
export function withMol<T>(rdkit: RDKit, input: string, fn: (mol: Mol | null) => T): T {
  const mol = input.trim() === '' ? null : rdkit.get_mol(input);
  try {
    return fn(mol && mol.is_valid() ? mol : null);
  } finally {
    mol?.delete();
  }
}

/** RDKit's canonical SMILES of the input, or null when it does not parse and sanitize. */
export function canonicalSmiles(rdkit: RDKit, input: string): string | null {
  return withMol(rdkit, input, (mol) => (mol ? mol.get_smiles() : null));
}

/** A molecule's graph as RDKit reports it (heavy atoms, implicit hydrogens not listed). */
export interface MolGraph {
  /** Atomic numbers. */
  atoms: number[];
  bonds: { a: number; b: number; order: number }[];
}

export function molGraph(mol: Mol): MolGraph {
  const json = JSON.parse(mol.get_json()) as {
    molecules: { atoms: { z?: number }[]; bonds?: { atoms: [number, number]; bo?: number }[] }[];
    defaults?: { atom?: { z?: number }; bond?: { bo?: number } };
  };
  const m = json.molecules[0]!;
  const z0 = json.defaults?.atom?.z ?? 6;
  const bo0 = json.defaults?.bond?.bo ?? 1;
  return {
    atoms: m.atoms.map((a) => a.z ?? z0),
    bonds: (m.bonds ?? []).map((b) => ({ a: b.atoms[0], b: b.atoms[1], order: b.bo ?? bo0 })),
  };
}

/** Descriptors RDKit MinimalLib computes for a molecule (a subset of its JSON keys). */
export interface Descriptors {
  amw: number;
  exactmw: number;
  CrippenClogP: number;
  NumHBD: number;
  NumHBA: number;
  tpsa: number;
  NumRotatableBonds: number;
  NumHeavyAtoms: number;
  NumAromaticRings: number;
  NumRings: number;
}

export function descriptors(mol: Mol): Descriptors {
  return JSON.parse(mol.get_descriptors()) as Descriptors;
}
