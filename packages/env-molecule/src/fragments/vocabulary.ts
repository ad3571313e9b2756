import { readFileSync } from 'node:fs';
import { UserError } from '@gflownet/core';
import { KNOWN_ELEMENTS, atomGraph, graphHash, toMolblock } from '../chem/graph.js';
import { type RDKit, withMol } from '../chem/rdkit.js';

/**
 * The default fragment vocabulary: common drug-like building blocks written as SMILES in which
 * `*` marks an attachment point. The first `*` of each entry is its anchor: the fragment bonds to
 * the growing molecule there; its other attachment points stay open for later fragments.
 * Documented in the package README.
 */
export const DEFAULT_FRAGMENTS: readonly (readonly [smiles: string, name: string])[] = [
  // Caps: one attachment point.
  ['*C', 'methyl'],
  ['*CC', 'ethyl'],
  ['*C(C)C', 'isopropyl'],
  ['*C(C)(C)C', 'tert-butyl'],
  ['*C1CC1', 'cyclopropyl'],
  ['*C1CCCCC1', 'cyclohexyl'],
  ['*C1CCOCC1', 'tetrahydropyran-4-yl'],
  ['*F', 'fluoro'],
  ['*Cl', 'chloro'],
  ['*Br', 'bromo'],
  ['*O', 'hydroxy'],
  ['*OC', 'methoxy'],
  ['*N', 'amino'],
  ['*NC', 'methylamino'],
  ['*N(C)C', 'dimethylamino'],
  ['*SC', 'methylthio'],
  ['*C#N', 'cyano'],
  ['*C(F)(F)F', 'trifluoromethyl'],
  ['*OC(F)(F)F', 'trifluoromethoxy'],
  ['*C(=O)O', 'carboxy'],
  ['*C(N)=O', 'carbamoyl'],
  ['*C(C)=O', 'acetyl'],
  ['*OC(C)=O', 'acetoxy'],
  ['*S(C)(=O)=O', 'methylsulfonyl'],
  ['*S(N)(=O)=O', 'sulfamoyl'],
  ['*c1ccccc1', 'phenyl'],
  ['*c1ccc(F)cc1', '4-fluorophenyl'],
  ['*c1ccc(Cl)cc1', '4-chlorophenyl'],
  ['*c1ccc(O)cc1', '4-hydroxyphenyl'],
  ['*c1ccc(OC)cc1', '4-methoxyphenyl'],
  ['*c1ccccn1', 'pyridin-2-yl'],
  ['*c1cccnc1', 'pyridin-3-yl'],
  ['*c1ccncc1', 'pyridin-4-yl'],
  ['*c1ncccn1', 'pyrimidin-2-yl'],
  ['*c1ccco1', 'furan-2-yl'],
  ['*c1cccs1', 'thiophen-2-yl'],
  ['*c1ncc[nH]1', 'imidazol-2-yl'],
  ['*n1ccnc1', 'imidazol-1-yl'],
  ['*c1nnn[nH]1', 'tetrazol-5-yl'],
  ['*N1CCOCC1', 'morpholin-4-yl'],
  ['*N1CCCC1', 'pyrrolidin-1-yl'],
  ['*N1CCCCC1', 'piperidin-1-yl'],
  ['*N1CCN(C)CC1', '4-methylpiperazin-1-yl'],
  ['*c1ccc2ccccc2c1', 'naphthalen-2-yl'],
  ['*c1ccc2[nH]ccc2c1', 'indol-5-yl'],
  ['*c1ccc2ncccc2c1', 'quinolin-6-yl'],
  ['*c1nc2ccccc2[nH]1', 'benzimidazol-2-yl'],
  ['*c1nc2ccccc2s1', 'benzothiazol-2-yl'],
  ['*c1ccc2c(c1)OCO2', '1,3-benzodioxol-5-yl'],
  // Linkers: two attachment points.
  ['*C*', 'methylene'],
  ['*CC*', 'ethylene'],
  ['*C(C)*', 'ethylidene'],
  ['*O*', 'oxy'],
  ['*S*', 'thio'],
  ['*N*', 'imino'],
  ['*C(=O)*', 'carbonyl'],
  ['*C(=O)N*', 'carboxamide (C-anchored)'],
  ['*NC(=O)*', 'carboxamide (N-anchored)'],
  ['*C(=O)O*', 'ester (C-anchored)'],
  ['*OC(=O)*', 'ester (O-anchored)'],
  ['*CC(=O)N*', 'acetamide'],
  ['*NC(=O)N*', 'urea'],
  ['*S(=O)(=O)N*', 'sulfonamide'],
  ['*c1ccc(*)cc1', '1,4-phenylene'],
  ['*c1cccc(*)c1', '1,3-phenylene'],
  ['*c1ccccc1*', '1,2-phenylene'],
  ['*c1ccc(*)nc1', 'pyridine-2,5-diyl'],
  ['*c1cc(*)ccn1', 'pyridine-2,4-diyl'],
  ['*c1ccc(*)s1', 'thiophene-2,5-diyl'],
  ['*c1ccc(*)o1', 'furan-2,5-diyl'],
  ['*c1ncc(*)s1', 'thiazole-2,5-diyl'],
  ['*c1nc(*)co1', 'oxazole-2,4-diyl'],
  ['*c1cn(*)cn1', 'imidazole-1,4-diyl'],
  ['*N1CCN(*)CC1', 'piperazine-1,4-diyl'],
  ['*N1CCC(*)CC1', 'piperidine-1,4-diyl'],
  ['*C1CCN(*)C1', 'pyrrolidine-1,3-diyl'],
  ['*C1CCC(*)CC1', 'cyclohexane-1,4-diyl'],
  // Branch points: three attachment points.
  ['*N(*)*', 'nitrilo'],
  ['*c1cc(*)cc(*)c1', 'benzene-1,3,5-triyl'],
  ['*c1nc(*)nc(*)n1', '1,3,5-triazine-2,4,6-triyl'],
];

/** Longest fragment SMILES accepted (drug-like fragments are far shorter). */
export const MAX_FRAGMENT_LENGTH = 200;

/** A fragment ready for the env: its canonical forms and what the env's masks need. */
export interface Fragment {
  name: string;
  /** As written in the vocabulary. */
  smiles: string;
  /** Canonical SMILES with every attachment point as `*`. */
  plain: string;
  /** Canonical SMILES with the anchor as `[1*]` and the other attachment points as `*`. */
  anchored: string;
  /** Attachment points (anchor included). */
  attachments: number;
  heavyAtoms: number;
  /** Sorted atomic numbers of the heavy atoms: a cheap filter before RDKit comparisons. */
  composition: string;
  /** graphHash of the fragment with its anchor as isotope 1, and with every `*` plain. */
  anchoredHash: string;
  plainHash: string;
}

/** Where a vocabulary came from, for error messages. */
export interface VocabularySource {
  file?: string;
}

/** Checks and canonicalizes fragments; every problem is a UserError naming the entry. */
export function prepareVocabulary(
  rdkit: RDKit,
  entries: readonly (readonly [smiles: string, name: string, line?: number])[],
  source: VocabularySource = {},
): Fragment[] {
  const where = (line: number | undefined, i: number) =>
    source.file ? `${source.file}:${line ?? i + 1}` : `fragment ${i + 1}`;
  if (entries.length === 0) {
    throw new UserError(`${source.file ?? 'fragment vocabulary'}: no fragments`);
  }
  const seen = new Map<string, string>();
  return entries.map(([smiles, name, line], i) => {
    const at = where(line, i);
    if (smiles.length > MAX_FRAGMENT_LENGTH) {
      throw new UserError(`${at}: fragment SMILES longer than ${MAX_FRAGMENT_LENGTH} characters`);
    }
    const fragment = withMol(rdkit, smiles, (mol) => {
      if (!mol) throw new UserError(`${at}: '${smiles}' is not a valid SMILES`);
      const graph = atomGraph(mol);
      const dummies = graph.atoms.flatMap((a, j) => (a.z === 0 ? [j] : []));
      if (dummies.length === 0) {
        throw new UserError(`${at}: '${smiles}' has no attachment point (write it as *)`);
      }
      for (const [j, a] of graph.atoms.entries()) {
        if (!KNOWN_ELEMENTS.has(a.z)) {
          throw new UserError(
            `${at}: '${smiles}' has an element (Z = ${a.z}) the env does not support`,
          );
        }
        if (a.z !== 0) continue;
        const bonds = graph.bonds.filter((b) => b.a === j || b.b === j);
        const other = bonds[0] ? (bonds[0].a === j ? bonds[0].b : bonds[0].a) : -1;
        if (bonds.length !== 1 || bonds[0]!.order !== 1 || graph.atoms[other]!.z === 0) {
          throw new UserError(
            `${at}: in '${smiles}' each attachment point must be a * with one single bond to an atom`,
          );
        }
        if (a.charge !== 0 || a.isotope !== 0) {
          throw new UserError(`${at}: in '${smiles}' write attachment points as plain *`);
        }
      }
      if (mol.get_smiles().includes('.')) {
        throw new UserError(`${at}: '${smiles}' is not one connected fragment`);
      }
      const heavy = graph.atoms.filter((a) => a.z !== 0);
      const anchoredAtoms = graph.atoms.map((a, j) => ({
        ...a,
        isotope: j === dummies[0] ? 1 : 0,
      }));
      const anchored = withMol(rdkit, toMolblock(anchoredAtoms, graph.bonds), (m) =>
        m!.get_smiles(),
      );
      return {
        name,
        smiles,
        plain: mol.get_smiles(),
        anchored,
        attachments: dummies.length,
        heavyAtoms: heavy.length,
        composition: compositionKey(heavy.map((a) => a.z)),
        anchoredHash: graphHash(anchoredAtoms, graph.bonds),
        plainHash: graphHash(graph.atoms, graph.bonds),
      };
    });
    const earlier = seen.get(fragment.anchored);
    if (earlier !== undefined) {
      throw new UserError(
        `${at}: '${smiles}' is the same fragment, with the same anchor, as ${earlier}`,
      );
    }
    seen.set(fragment.anchored, at);
    return fragment;
  });
}

export function compositionKey(atomicNumbers: readonly number[]): string {
  return [...atomicNumbers].sort((a, b) => a - b).join(',');
}

/**
 * Reads a vocabulary file: one fragment per line, `SMILES` or `SMILES name...`, with `*` for each
 * attachment point (the first is the anchor); blank lines and lines starting with `#` are skipped.
 */
export function readVocabularyFile(rdkit: RDKit, file: string): Fragment[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `fragment vocabulary '${file}' does not exist`
        : `cannot read fragment vocabulary '${file}' (${code ?? String(err)})`,
    );
  }
  if (text.includes('\u0000')) {
    throw new UserError(`${file}: not a text file (one SMILES with * attachment points per line)`);
  }
  const entries: [string, string, number][] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [smiles, ...rest] = line.split(/\s+/);
    entries.push([smiles!, rest.join(' ') || smiles!, i + 1]);
  });
  return prepareVocabulary(rdkit, entries, { file });
}

export function defaultVocabulary(rdkit: RDKit): Fragment[] {
  return prepareVocabulary(rdkit, DEFAULT_FRAGMENTS);
}
