import { type Mol, type RDKit, descriptors, molGraph } from './rdkit.js';
import { STRUCTURAL_ALERTS } from './qed-alerts.js';

/**
 * QED, the quantitative estimate of drug-likeness (Bickerton et al., 2012, "Quantifying the
 * chemical beauty of drugs", Nature Chemistry 4, 90-98), computed from RDKit descriptors and
 * substructure matching. Eight properties are each mapped through an asymmetric double sigmoid
 * (a desirability function d_i in (0, 1]) and combined as a weighted geometric mean:
 *
 *   QED = exp( sum_i w_i ln d_i / sum_i w_i )
 *
 * with the paper's mean weights. The property definitions follow RDKit's QED module so the
 * values agree with it.
 */
export interface QedProperties {
  /** Molecular weight (average, hydrogens included). */
  MW: number;
  /** Crippen logP. */
  ALOGP: number;
  /** Hydrogen-bond acceptors: matches of the acceptor patterns below. */
  HBA: number;
  /** Hydrogen-bond donors (Lipinski's definition as RDKit counts it). */
  HBD: number;
  /** Topological polar surface area. */
  PSA: number;
  /** Rotatable bonds (strict definition). */
  ROTB: number;
  /** Aromatic rings: rings left after removing aliphatic ring atoms bonded to a non-aromatic atom. */
  AROM: number;
  /** Structural alerts matched. */
  ALERTS: number;
}

type Key = keyof QedProperties;
const KEYS: readonly Key[] = ['MW', 'ALOGP', 'HBA', 'HBD', 'PSA', 'ROTB', 'AROM', 'ALERTS'];

/** Parameters (a, b, c, d, e, f, dmax) of each property's desirability function. */
const ADS: Record<Key, readonly [number, number, number, number, number, number, number]> = {
  MW: [2.817065973, 392.5754953, 290.7489764, 2.419764353, 49.22325677, 65.37051707, 104.9805561],
  ALOGP: [
    3.172690585, 137.8624751, 2.534937431, 4.581497897, 0.822739154, 0.576295591, 131.3186604,
  ],
  HBA: [2.948620388, 160.4605972, 3.615294657, 4.435986202, 0.290141953, 1.300669958, 148.7763046],
  HBD: [1.618662227, 1010.051101, 0.985094388, 0.000000001, 0.713820843, 0.920922555, 258.1632616],
  PSA: [1.876861559, 125.2232657, 62.90773554, 87.83366614, 12.01999824, 28.51324732, 104.5686167],
  ROTB: [0.01, 272.4121427, 2.55837997, 1.565547684, 1.271567166, 2.758063707, 105.4420403],
  AROM: [3.21778897, 957.7374108, 2.274627939, 0.000000001, 1.317690384, 0.375760881, 312.337261],
  ALERTS: [0.01, 1199.094025, -0.09002883, 0.000000001, 0.185904477, 0.875193782, 417.725314],
};

/** The paper's mean weights (QED_w,mo). */
export const QED_WEIGHTS: Readonly<Record<Key, number>> = {
  MW: 0.66,
  ALOGP: 0.46,
  HBA: 0.05,
  HBD: 0.61,
  PSA: 0.06,
  ROTB: 0.65,
  AROM: 0.48,
  ALERTS: 0.95,
};

const ACCEPTORS = [
  '[oH0;X2]',
  '[OH1;X2;v2]',
  '[OH0;X2;v2]',
  '[OH0;X1;v2]',
  '[O-;X1]',
  '[SH0;X2;v2]',
  '[SH0;X1;v2]',
  '[S-;X1]',
  '[nH0;X2]',
  '[NH0;X1;v3]',
  '[$([N;+0;X3;v3]);!$(N[C,S]=O)]',
];
const ALIPHATIC_RING_ATOM = '[$([A;R][!a])]';

/** The desirability of value x: an asymmetric double sigmoid, scaled to a maximum of 1. */
export function desirability(key: Key, x: number): number {
  const [a, b, c, d, e, f, dmax] = ADS[key];
  const rise = 1 + Math.exp(-(x - c + d / 2) / e);
  const fall = 1 + Math.exp(-(x - c - d / 2) / f);
  return (a + (b / rise) * (1 - 1 / fall)) / dmax;
}

/** QED from its eight properties. */
export function qedFromProperties(p: QedProperties): number {
  let num = 0;
  let den = 0;
  for (const k of KEYS) {
    num += QED_WEIGHTS[k] * Math.log(desirability(k, p[k]));
    den += QED_WEIGHTS[k];
  }
  return Math.exp(num / den);
}

/**
 * Computes QED properties with one RDKit instance; the query molecules (acceptor and alert
 * patterns) are parsed once and kept until `dispose()`.
 */
export class QedCalculator {
  private readonly acceptors: Mol[];
  private readonly alerts: Mol[];
  private readonly aliphaticRingAtom: Mol;

  constructor(rdkit: RDKit) {
    const query = (smarts: string): Mol => {
      const q = rdkit.get_qmol(smarts);
      if (!q || !q.is_valid()) throw new Error(`RDKit cannot parse the SMARTS ${smarts}`);
      return q;
    };
    this.acceptors = ACCEPTORS.map(query);
    this.alerts = STRUCTURAL_ALERTS.map(query);
    this.aliphaticRingAtom = query(ALIPHATIC_RING_ATOM);
  }

  properties(mol: Mol): QedProperties {
    const d = descriptors(mol);
    let hba = 0;
    for (const q of this.acceptors) hba += matches(mol, q).length;
    let alerts = 0;
    for (const q of this.alerts) if (mol.get_substruct_match(q) !== '{}') alerts += 1;
    const removed = new Set(matches(mol, this.aliphaticRingAtom).map((m) => m[0]!));
    return {
      MW: d.amw,
      ALOGP: d.CrippenClogP,
      HBA: hba,
      HBD: d.NumHBD,
      PSA: d.tpsa,
      ROTB: d.NumRotatableBonds,
      AROM: cycleRank(molGraph(mol), removed),
      ALERTS: alerts,
    };
  }

  qed(mol: Mol): number {
    return qedFromProperties(this.properties(mol));
  }

  dispose(): void {
    for (const q of [...this.acceptors, ...this.alerts, this.aliphaticRingAtom]) q.delete();
  }
}

/** Atom indices of every (unique) match of a query. */
function matches(mol: Mol, query: Mol): number[][] {
  const found = JSON.parse(mol.get_substruct_matches(query)) as { atoms: number[] }[] | object;
  return Array.isArray(found) ? found.map((m) => m.atoms) : [];
}

/**
 * The number of independent rings (bonds - atoms + connected components) of the graph left after
 * removing some atoms: the size of its smallest set of smallest rings.
 */
function cycleRank(
  graph: { atoms: number[]; bonds: { a: number; b: number }[] },
  removed: Set<number>,
): number {
  const parent = graph.atoms.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  let atoms = 0;
  for (let i = 0; i < graph.atoms.length; i++) if (!removed.has(i)) atoms += 1;
  let bonds = 0;
  let components = atoms;
  for (const { a, b } of graph.bonds) {
    if (removed.has(a) || removed.has(b)) continue;
    bonds += 1;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      parent[ra] = rb;
      components -= 1;
    }
  }
  return bonds - atoms + components;
}
