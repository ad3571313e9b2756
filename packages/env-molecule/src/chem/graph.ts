import type { Mol } from './rdkit.js';

/** One atom of a kekulized molecule graph, as RDKit's JSON reports it (z = 0: dummy atom `*`). */
export interface GraphAtom {
  z: number;
  charge: number;
  isotope: number;
  hydrogens: number;
  aromatic: boolean;
}

export interface GraphBond {
  a: number;
  b: number;
  /** 1, 2 or 3 (Kekulé form). */
  order: number;
  /** Part of an aromatic ring (the Kekulé order is then one of several). */
  aromatic?: boolean;
}

/** A molecule graph with enough detail to write it back as a molblock. */
export interface AtomGraph {
  atoms: GraphAtom[];
  bonds: GraphBond[];
  /** Atoms of each ring RDKit perceived (SSSR). */
  rings: number[][];
}

interface RdkitJsonAtom {
  z?: number;
  chg?: number;
  isotope?: number;
  impHs?: number;
}

interface RdkitJson {
  defaults?: {
    atom?: RdkitJsonAtom;
    bond?: { bo?: number };
  };
  molecules: {
    atoms: RdkitJsonAtom[];
    bonds?: { atoms: [number, number]; bo?: number }[];
    extensions?: {
      name: string;
      aromaticAtoms?: number[];
      aromaticBonds?: number[];
      atomRings?: number[][];
    }[];
  }[];
}

/** The graph of a molecule, in its atom order, from RDKit's JSON (commonchem) output. */
export function atomGraph(mol: Mol): AtomGraph {
  const json = JSON.parse(mol.get_json()) as RdkitJson;
  const atom0 = json.defaults?.atom ?? {};
  const bo0 = json.defaults?.bond?.bo ?? 1;
  const m = json.molecules[0]!;
  const ext = m.extensions?.find((e) => e.name === 'rdkitRepresentation');
  const aromatic = new Set(ext?.aromaticAtoms ?? []);
  const aromaticBonds = new Set(ext?.aromaticBonds ?? []);
  return {
    atoms: m.atoms.map((a, i) => ({
      z: a.z ?? atom0.z ?? 6,
      charge: a.chg ?? atom0.chg ?? 0,
      isotope: a.isotope ?? atom0.isotope ?? 0,
      hydrogens: a.impHs ?? atom0.impHs ?? 0,
      aromatic: aromatic.has(i),
    })),
    bonds: (m.bonds ?? []).map((b, i) => ({
      a: b.atoms[0],
      b: b.atoms[1],
      order: b.bo ?? bo0,
      aromatic: aromaticBonds.has(i),
    })),
    rings: ext?.atomRings ?? [],
  };
}

const SYMBOLS: Record<number, string> = {
  0: '*',
  1: 'H',
  5: 'B',
  6: 'C',
  7: 'N',
  8: 'O',
  9: 'F',
  14: 'Si',
  15: 'P',
  16: 'S',
  17: 'Cl',
  34: 'Se',
  35: 'Br',
  53: 'I',
};

/** The elements the molblock writer knows (those of drug-like fragments). */
export const KNOWN_ELEMENTS: ReadonlySet<number> = new Set(Object.keys(SYMBOLS).map(Number));

function pad(x: number): string {
  return String(x).padStart(3);
}

/**
 * A V2000 molblock of a graph (Kekulé bonds, charges, isotopes; hydrogens left for RDKit to
 * infer from valence, which is right for neutral atoms and for the charges given).
 */
export function toMolblock(atoms: readonly GraphAtom[], bonds: readonly GraphBond[]): string {
  const lines = ['', '  gflownet-ts', ''];
  lines.push(`${pad(atoms.length)}${pad(bonds.length)}  0  0  0  0  0  0  0  0999 V2000`);
  for (const a of atoms) {
    const symbol = SYMBOLS[a.z];
    if (symbol === undefined) throw new Error(`toMolblock: no symbol for atomic number ${a.z}`);
    lines.push(
      `    0.0000    0.0000    0.0000 ${symbol.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`,
    );
  }
  for (const b of bonds) lines.push(`${pad(b.a + 1)}${pad(b.b + 1)}${pad(b.order)}  0`);
  const charged = atoms.flatMap((a, i) => (a.charge !== 0 ? [[i, a.charge] as const] : []));
  if (charged.length > 0) {
    lines.push(
      `M  CHG${pad(charged.length)}${charged.map(([i, c]) => ` ${pad(i + 1)} ${pad(c)}`).join('')}`,
    );
  }
  const labelled = atoms.flatMap((a, i) => (a.isotope !== 0 ? [[i, a.isotope] as const] : []));
  if (labelled.length > 0) {
    lines.push(
      `M  ISO${pad(labelled.length)}${labelled.map(([i, v]) => ` ${pad(i + 1)} ${pad(v)}`).join('')}`,
    );
  }
  lines.push('M  END', '');
  return lines.join('\n');
}

/** Neighbours of each atom. */
export function adjacency(graph: Pick<AtomGraph, 'atoms' | 'bonds'>): number[][] {
  const out: number[][] = graph.atoms.map(() => []);
  for (const b of graph.bonds) {
    out[b.a]!.push(b.b);
    out[b.b]!.push(b.a);
  }
  return out;
}

/** The atoms reachable from `start` without crossing the bond start-`blocked`. */
export function sideOf(adj: readonly number[][], start: number, blocked: number): number[] {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    const i = stack.pop()!;
    for (const j of adj[i]!) {
      if (seen.has(j) || (i === start && j === blocked)) continue;
      seen.add(j);
      stack.push(j);
    }
  }
  return [...seen];
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * A graph invariant (Weisfeiler-Lehman refinement over element, charge, isotope, hydrogens and
 * aromaticity, with bond orders, aromatic bonds as one kind): equal for isomorphic graphs, and
 * for different small molecular graphs equal only by a hash collision. Cheap enough for searches
 * that would otherwise ask RDKit for a canonical SMILES at every node.
 */
export function graphHash(atoms: readonly GraphAtom[], bonds: readonly GraphBond[]): string {
  const n = atoms.length;
  const start = new Uint32Array(n + 1);
  for (const b of bonds) {
    start[b.a + 1]! += 1;
    start[b.b + 1]! += 1;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const neighbour = new Uint32Array(2 * bonds.length);
  const kind = new Uint32Array(2 * bonds.length);
  for (const b of bonds) {
    const k = b.aromatic ? 4 : b.order;
    neighbour[fill[b.a]!] = b.b;
    kind[fill[b.a]!++] = k;
    neighbour[fill[b.b]!] = b.a;
    kind[fill[b.b]!++] = k;
  }
  const rounds = Math.min(n, 12);
  const out: string[] = [];
  const around = new Uint32Array(8);
  for (const seed of [0x243f6a88, 0x85a308d3]) {
    let labels = new Uint32Array(n);
    let next = new Uint32Array(n);
    atoms.forEach((a, i) => {
      let h = mix(seed, a.z);
      h = mix(h, a.charge + 8);
      h = mix(h, a.isotope);
      h = mix(h, a.hydrogens);
      labels[i] = mix(h, a.aromatic ? 1 : 0);
    });
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        // Neighbour labels sorted by insertion (degrees are small).
        let d = 0;
        for (let e = start[i]!; e < start[i + 1]! && d < around.length; e++) {
          const x = mix(labels[neighbour[e]!]!, kind[e]!);
          let j = d++;
          while (j > 0 && around[j - 1]! > x) {
            around[j] = around[j - 1]!;
            j--;
          }
          around[j] = x;
        }
        let h = mix(labels[i]!, seed);
        for (let j = 0; j < d; j++) h = mix(h, around[j]!);
        next[i] = h;
      }
      [labels, next] = [next, labels];
    }
    labels.sort();
    let h = seed;
    for (let i = 0; i < n; i++) h = mix(h, labels[i]!);
    out.push(h.toString(36));
  }
  return `${n}:${bonds.length}:${out.join(':')}`;
}
