import type { DiscreteEnv, Parents, SampleTracker } from '@gflownet/core';
import { type RDKit, withMol } from './chem/rdkit.js';
import { MoleculeEnvBase } from './molecule-env.js';

/** Element symbol, atomic number and the valence the atoms env allows. */
export interface AtomType {
  symbol: string;
  z: number;
  valence: number;
}

export const ATOM_TYPES: Readonly<Record<string, AtomType>> = {
  C: { symbol: 'C', z: 6, valence: 4 },
  N: { symbol: 'N', z: 7, valence: 3 },
  O: { symbol: 'O', z: 8, valence: 2 },
  F: { symbol: 'F', z: 9, valence: 1 },
  S: { symbol: 'S', z: 16, valence: 2 },
  Cl: { symbol: 'Cl', z: 17, valence: 1 },
  Br: { symbol: 'Br', z: 35, valence: 1 },
};

export interface AtomsEnvOptions {
  /** Element symbols the env may add, from ATOM_TYPES. */
  atoms: readonly string[];
  /** Most heavy atoms in a molecule. */
  maxAtoms: number;
  /** The caption of a drawn molecule from its log-reward (default `log R ...`). */
  caption?: (logReward: number) => string;
  /** The score behind a log-reward (default R itself). */
  score?: (logReward: number) => number;
  /** Metrics of the molecules sampled during training (see MoleculeTracker). */
  tracker?: () => SampleTracker;
  /** log R of molecules given as canonical SMILES (may be async: RDKit rewards, proxies). */
  logReward: (smiles: readonly string[]) => Float64Array | Promise<Float64Array>;
}

/** What the env knows of one (canonical) state, computed once and cached. */
interface StateInfo {
  smiles: string;
  forward: Uint8Array; // [A]
  children: (Int32Array | null)[]; // per forward action, the canonical child
  childKeys: (string | null)[];
  backward: Uint8Array; // [A']
  parents: (Int32Array | null)[];
  parentKeys: (string | null)[];
}

/**
 * Builds molecules atom by atom (the tricky case of GFlowNets on graphs: many build orders reach
 * the same molecule). A state is a molecule with at most `maxAtoms` heavy atoms, stored in RDKit's
 * canonical atom order, so that one molecule is one state vector:
 *
 *   [type of atom 0..N-1 (0 = none, else 1 + index in `atoms`) | bond order of each pair i < j (0..3)]
 *
 * Forward actions: place the first atom of a type; add an atom of a type bonded to atom i with
 * order 1, 2 or 3; raise the order of the bond between atoms i and j by one (a new single bond
 * closes a ring); exit (not from the empty molecule). Masks keep every valence within the atom
 * type's valence, so every molecule sanitizes in RDKit; actions whose result RDKit perceives as
 * aromatic are masked too, since a Kekulé vector is not a unique name for an aromatic molecule
 * (aromatic rings come from fragments). Two actions that reach the same molecule count once (the
 * lower-numbered one is kept), and so do two backward actions that reach the same parent, so
 * flow matching is exact and a uniform backward policy counts each distinct parent once.
 *
 * Backward actions: remove atom m when it is a leaf (or the only atom); lower the order of the
 * bond i-j by one when the molecule stays connected.
 */
export class AtomsEnv extends MoleculeEnvBase implements DiscreteEnv {
  readonly name = 'molecule-atoms';
  readonly stateDim: number;
  readonly numActions: number;
  readonly exitAction: number;
  readonly numBackwardActions: number;
  readonly featureDim: number;
  readonly maxTrajectoryLength: number;
  readonly initialState: Int32Array;
  readonly types: AtomType[];
  private readonly n: number;
  private readonly pairs: number;
  private readonly cache = new Map<string, StateInfo>();

  constructor(
    rdkit: RDKit,
    readonly options: AtomsEnvOptions,
  ) {
    super(rdkit, options.tracker, options.caption, options.score);
    this.types = options.atoms.map((s) => {
      const t = ATOM_TYPES[s];
      if (!t)
        throw new Error(`unknown atom type '${s}' (known: ${Object.keys(ATOM_TYPES).join(', ')})`);
      return t;
    });
    const n = options.maxAtoms;
    const t = this.types.length;
    this.n = n;
    this.pairs = (n * (n - 1)) / 2;
    this.stateDim = n + this.pairs;
    this.numActions = t + n * t * 3 + this.pairs + 1;
    this.exitAction = this.numActions - 1;
    this.numBackwardActions = n + this.pairs;
    this.featureDim = n * t + this.pairs * 3 + (n + 1);
    // Each step adds an atom or one bond order; a molecule has at most 4N/2 bond orders.
    this.maxTrajectoryLength = n + 2 * n * 4 + 1;
    this.initialState = new Int32Array(this.stateDim);
  }

  /** Index of the pair (i, j), i < j, among the bond slots. */
  pairIndex(i: number, j: number): number {
    if (i > j) [i, j] = [j, i];
    return i * this.n - (i * (i + 1)) / 2 + (j - i - 1);
  }

  private atomCount(s: Int32Array): number {
    let k = 0;
    while (k < this.n && s[k]! > 0) k++;
    return k;
  }

  private usedValence(s: Int32Array, i: number, k: number): number {
    let v = 0;
    for (let j = 0; j < k; j++) if (j !== i) v += s[this.n + this.pairIndex(i, j)]!;
    return v;
  }

  /** SMILES of a state (any atom order), via an RDKit molblock; null if RDKit rejects it. */
  smilesOf(s: Int32Array): string | null {
    const k = this.atomCount(s);
    if (k === 0) return '';
    const lines = ['', '  gflownet-ts', ''];
    const bonds: string[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const o = s[this.n + this.pairIndex(i, j)]!;
        if (o > 0) bonds.push(`${pad(i + 1)}${pad(j + 1)}${pad(o)}  0`);
      }
    }
    lines.push(`${pad(k)}${pad(bonds.length)}  0  0  0  0  0  0  0  0999 V2000`);
    for (let i = 0; i < k; i++) {
      const sym = this.types[s[i]! - 1]!.symbol.padEnd(3);
      lines.push(`    0.0000    0.0000    0.0000 ${sym} 0  0  0  0  0  0  0  0  0  0  0  0`);
    }
    lines.push(...bonds, 'M  END', '');
    return withMol(this.rdkit, lines.join('\n'), (mol) => (mol ? mol.get_smiles() : null));
  }

  /** The canonical vector of a molecule given as canonical SMILES (RDKit's atom order). */
  private vectorOf(smiles: string): Int32Array {
    const out = new Int32Array(this.stateDim);
    if (smiles === '') return out;
    withMol(this.rdkit, smiles, (mol) => {
      const json = JSON.parse(mol!.get_json()) as {
        molecules: {
          atoms: { z?: number }[];
          bonds?: { atoms: [number, number]; bo?: number }[];
        }[];
      };
      const m = json.molecules[0]!;
      m.atoms.forEach((a, i) => (out[i] = 1 + this.types.findIndex((t) => t.z === (a.z ?? 6))));
      for (const b of m.bonds ?? [])
        out[this.n + this.pairIndex(b.atoms[0], b.atoms[1])] = b.bo ?? 1;
    });
    return out;
  }

  /** Canonical form of a raw state: [smiles, vector], or null when invalid or aromatic. */
  private canonical(raw: Int32Array): [string, Int32Array] | null {
    const smiles = this.smilesOf(raw);
    if (smiles === null || /[cnos]/.test(smiles)) return null;
    return [smiles, this.vectorOf(smiles)];
  }

  private info(s: Int32Array): StateInfo {
    const key = s.join(',');
    let info = this.cache.get(key);
    if (!info) {
      info = this.computeInfo(s);
      this.cache.set(key, info);
    }
    return info;
  }

  private computeInfo(s: Int32Array): StateInfo {
    const { n } = this;
    const t = this.types.length;
    const k = this.atomCount(s);
    const smiles = this.smilesOf(s) ?? '';
    const fwd = this.distinctTargets(this.numActions);
    const offer = fwd.offer;
    if (k === 0) {
      for (let ti = 0; ti < t; ti++) {
        const raw = s.slice();
        raw[0] = ti + 1;
        offer(ti, raw);
      }
    } else {
      const free = Array.from(
        { length: k },
        (_, i) => this.types[s[i]! - 1]!.valence - this.usedValence(s, i, k),
      );
      if (k < n) {
        for (let i = 0; i < k; i++) {
          for (let ti = 0; ti < t; ti++) {
            for (let o = 1; o <= 3; o++) {
              if (free[i]! < o || this.types[ti]!.valence < o) continue;
              const raw = s.slice();
              raw[k] = ti + 1;
              raw[n + this.pairIndex(i, k)] = o;
              offer(t + (i * t + ti) * 3 + (o - 1), raw);
            }
          }
        }
      }
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          const p = n + this.pairIndex(i, j);
          if (free[i]! < 1 || free[j]! < 1 || s[p]! >= 3) continue;
          const raw = s.slice();
          raw[p]! += 1;
          offer(t + n * t * 3 + this.pairIndex(i, j), raw);
        }
      }
      fwd.mask[this.exitAction] = 1;
    }

    const bwd = this.distinctTargets(this.numBackwardActions);
    const offerParent = bwd.offer;
    for (let m = 0; m < k; m++) {
      let degree = 0;
      for (let j = 0; j < k; j++) if (j !== m && s[n + this.pairIndex(m, j)]! > 0) degree += 1;
      if (k > 1 && degree !== 1) continue;
      offerParent(m, this.without(s, m, k));
    }
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const p = n + this.pairIndex(i, j);
        if (s[p]! === 0) continue;
        const raw = s.slice();
        raw[p]! -= 1;
        if (raw[p] === 0 && !this.connected(raw, k)) continue;
        offerParent(n + this.pairIndex(i, j), raw);
      }
    }
    return {
      smiles,
      forward: fwd.mask,
      children: fwd.vectors,
      childKeys: fwd.keys,
      backward: bwd.mask,
      parents: bwd.vectors,
      parentKeys: bwd.keys,
    };
  }

  /**
   * Collects the canonical results of `size` actions, allowing an action only when its result is
   * a valid molecule that no lower-numbered action reached.
   */
  private distinctTargets(size: number) {
    const mask = new Uint8Array(size);
    const vectors: (Int32Array | null)[] = new Array(size).fill(null);
    const keys: (string | null)[] = new Array(size).fill(null);
    const seen = new Set<string>();
    const offer = (action: number, raw: Int32Array) => {
      const c = this.canonical(raw);
      if (!c || seen.has(c[0])) return;
      seen.add(c[0]);
      mask[action] = 1;
      vectors[action] = c[1];
      keys[action] = c[0];
    };
    return { mask, vectors, keys, offer };
  }

  /** The state with atom m removed and the rest renumbered in order. */
  private without(s: Int32Array, m: number, k: number): Int32Array {
    const out = new Int32Array(this.stateDim);
    const keep = [...Array(k).keys()].filter((i) => i !== m);
    keep.forEach((i, a) => {
      out[a] = s[i]!;
      keep.forEach((j, b) => {
        if (a < b) out[this.n + this.pairIndex(a, b)] = s[this.n + this.pairIndex(i, j)]!;
      });
    });
    return out;
  }

  private connected(s: Int32Array, k: number): boolean {
    const seen = new Uint8Array(k);
    const stack = [0];
    seen[0] = 1;
    let count = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      for (let j = 0; j < k; j++) {
        if (!seen[j] && j !== i && s[this.n + this.pairIndex(i, j)]! > 0) {
          seen[j] = 1;
          count += 1;
          stack.push(j);
        }
      }
    }
    return count === k;
  }

  private row(states: Int32Array, i: number): Int32Array {
    return states.subarray(i * this.stateDim, (i + 1) * this.stateDim);
  }

  forwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    for (let i = 0; i < n; i++)
      out.set(this.info(this.row(states, i)).forward, i * this.numActions);
  }

  backwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    for (let i = 0; i < n; i++)
      out.set(this.info(this.row(states, i)).backward, i * this.numBackwardActions);
  }

  step(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const child = this.info(this.row(states, i)).children[actions[i]!];
      if (!child) throw new Error(`${this.name}: action ${actions[i]} is not allowed`);
      out.set(child, i * this.stateDim);
    }
  }

  backwardStep(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const parent = this.info(this.row(states, i)).parents[backActions[i]!];
      if (!parent)
        throw new Error(`${this.name}: backward action ${backActions[i]} is not allowed`);
      out.set(parent, i * this.stateDim);
    }
  }

  backwardActionOf(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const parent = this.info(this.row(states, i));
      const child = this.info(parent.children[actions[i]!]!);
      out[i] = child.parentKeys.indexOf(parent.smiles);
    }
  }

  forwardActionOf(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const child = this.info(this.row(states, i));
      const parent = this.info(child.parents[backActions[i]!]!);
      out[i] = parent.childKeys.indexOf(child.smiles);
    }
  }

  parents(state: Int32Array): Parents {
    const info = this.info(state);
    const found: Int32Array[] = [];
    const actions: number[] = [];
    info.backward.forEach((allowed, b) => {
      if (!allowed) return;
      const p = info.parents[b]!;
      found.push(p);
      actions.push(this.info(p).childKeys.indexOf(info.smiles));
    });
    const states = new Int32Array(found.length * this.stateDim);
    found.forEach((p, j) => states.set(p, j * this.stateDim));
    return { states, actions: Int32Array.from(actions) };
  }

  /** RDKit's canonical SMILES. */
  canonicalKey(state: Int32Array): string {
    return this.info(state).smiles;
  }

  /** The canonical SMILES of each state. */
  smiles(states: Int32Array, n: number): string[] {
    return Array.from({ length: n }, (_, i) => this.info(this.row(states, i)).smiles);
  }

  logReward(states: Int32Array, n: number): Float64Array | Promise<Float64Array> {
    return this.options.logReward(this.smiles(states, n));
  }

  featurize(states: Int32Array, n: number, out: Float32Array): void {
    const t = this.types.length;
    const f = this.featureDim;
    out.fill(0, 0, n * f);
    for (let i = 0; i < n; i++) {
      const s = this.row(states, i);
      const base = i * f;
      for (let a = 0; a < this.n; a++) if (s[a]! > 0) out[base + a * t + s[a]! - 1] = 1;
      for (let p = 0; p < this.pairs; p++) {
        const o = s[this.n + p]!;
        if (o > 0) out[base + this.n * t + p * 3 + o - 1] = 1;
      }
      out[base + this.n * t + this.pairs * 3 + this.atomCount(s)] = 1;
    }
  }

  get enumerable(): boolean {
    return this.n <= 5;
  }
}

function pad(x: number): string {
  return String(x).padStart(3);
}
