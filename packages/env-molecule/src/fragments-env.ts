import type { DiscreteEnv, Parents, SampleTracker } from '@gflownet/core';
import { tanimoto } from './chem/fingerprint.js';
import {
  type AtomGraph,
  adjacency,
  atomGraph,
  graphHash,
  sideOf,
  toMolblock,
} from './chem/graph.js';
import { type RDKit, withMol } from './chem/rdkit.js';
import { MoleculeEnvBase } from './molecule-env.js';
import { type Fragment, compositionKey } from './fragments/vocabulary.js';
import { LruMap, cachedBatch } from './util/lru.js';

export interface FragmentsEnvOptions {
  fragments: readonly Fragment[];
  /** Fewest fragments of a finished molecule (default 2). */
  minFragments?: number;
  /** Most fragments of a molecule (default 8). */
  maxFragments?: number;
  /** Most open attachment points of a state; attachments beyond it are masked (default 6). */
  maxStems?: number;
  /**
   * Declares the reachable space small enough to enumerate for exact metrics (a small vocabulary
   * and few fragments); default false.
   */
  enumerable?: boolean;
  /** States (and rewards) kept in memory; older ones are analysed again when met (default 20000). */
  cacheSize?: number;
  /** The caption of a drawn molecule from its log-reward (default `log R ...`). */
  caption?: (logReward: number) => string;
  /** The score behind a log-reward (default R itself). */
  score?: (logReward: number) => number;
  /** Metrics of the molecules sampled during training (see MoleculeTracker). */
  tracker?: () => SampleTracker;
  /** log R of finished molecules given as canonical SMILES (may be async). */
  logReward: (smiles: readonly string[]) => Float64Array | Promise<Float64Array>;
}

const FP_BITS = 512;
const FP_JSON = JSON.stringify({ radius: 2, nBits: FP_BITS });
const ELEMENT_SLOTS = [6, 7, 8, 16];
/** Per stem: present, element of its atom (C, N, O, S, other), aromatic, ring, degree 1..4, H 0..3. */
const STEM_FEATURES = 1 + ELEMENT_SLOTS.length + 1 + 2 + 4 + 4;
const ISOTOPE = JSON.stringify({ Label: 'Isotope' });

type SubGraph = Pick<AtomGraph, 'atoms' | 'bonds'>;

/** A molblock of a graph with one atom (a dummy) labelled as isotope `iso` (none when at < 0). */
function labelledMolblock(graph: SubGraph, at: number, iso: number): string {
  const atoms = graph.atoms.map((a, i) => (i === at ? { ...a, isotope: iso } : a));
  return toMolblock(atoms, graph.bonds);
}

/** The atoms `keep` of a graph (renumbered in order) plus a new `*` (isotope `iso`) on `at`. */
function withNewStem(graph: SubGraph, keep: readonly number[], at: number, iso: number): SubGraph {
  const index = new Map(keep.map((i, j) => [i, j]));
  const atoms = keep.map((i) => graph.atoms[i]!);
  atoms.push({ z: 0, charge: 0, isotope: iso, hydrogens: 0, aromatic: false });
  const bonds = graph.bonds
    .filter((b) => index.has(b.a) && index.has(b.b))
    .map((b) => ({ ...b, a: index.get(b.a)!, b: index.get(b.b)! }));
  bonds.push({ a: index.get(at)!, b: atoms.length - 1, order: 1, aromatic: false });
  return { atoms, bonds };
}

/** A distinct parent: the backward action that reaches it and the forward action back. */
interface Edge {
  action: number;
  parent: string;
  forwardAction: number;
  /**
   * Other forward actions of the same parent that reach this state (a linker attached one way
   * round at one stem and the other way round at another): flow matching counts every edge.
   */
  moreForwardActions: number[];
}

/** What the env knows of one state, computed once (until the cache evicts it). */
interface StateInfo {
  key: string;
  count: number;
  /** Canonical SMILES with open attachment points as `*`. */
  smiles: string;
  graph: AtomGraph;
  /** Atom index of each open attachment point, in SMILES order. */
  stems: number[];
  /** graphHash with stem k as isotope 1: stems with equal hashes are symmetric. */
  stemClasses: string[];
  forward: Uint8Array;
  /** Key of the child of each action taken so far. */
  children: Map<number, string>;
  parents?: Edge[];
  features?: Float32Array;
  fingerprint?: Uint8Array;
  molecule?: string;
}

/**
 * Builds molecules from a vocabulary of fragments with attachment points (`*`), as in Bengio et
 * al. (2021). The first action places a fragment; each later one bonds a fragment's anchor (its
 * first `*`) to an open attachment point of the molecule; exit ends the molecule once it has
 * `minFragments` fragments. Open attachment points left at the end become hydrogens.
 *
 * A state is the molecule with its open attachment points, named by RDKit's canonical SMILES, and
 * the number of fragments: [fragments, length, character codes of the SMILES, 0...]. Every build
 * order that reaches a molecule reaches the same state, so the process is a DAG over molecules.
 * Forward actions are `stem * F + fragment` (F fragments; stems in SMILES order) and exit;
 * symmetric stems (equal graph hashes when one is labelled) count once, the first being kept.
 * Backward actions cut a non-ring single bond so that one side is a vocabulary fragment joined
 * by its anchor and the other side is a state reachable from s0; distinct parents count once.
 */
export class FragmentsEnv extends MoleculeEnvBase implements DiscreteEnv {
  readonly name = 'molecule-fragments';
  readonly stateDim: number;
  readonly numActions: number;
  readonly exitAction: number;
  readonly numBackwardActions: number;
  readonly featureDim: number;
  readonly maxTrajectoryLength: number;
  readonly initialState: Int32Array;
  readonly enumerable: boolean;
  readonly fragments: readonly Fragment[];
  readonly minFragments: number;
  readonly maxFragments: number;
  readonly maxStems: number;
  /** Longest SMILES a state can hold. */
  readonly width: number;
  private readonly byAnchored = new Map<string, number>();
  private readonly byPlain = new Map<string, number>();
  private readonly byComposition = new Map<string, Fragment[]>();
  private readonly anchoredHashes = new Set<string>();
  private readonly plainHashes = new Set<string>();
  private readonly reachableMemo: LruMap<string, boolean>;
  private readonly cache: LruMap<string, StateInfo>;
  private readonly rewards: LruMap<string, number>;

  constructor(
    rdkit: RDKit,
    readonly options: FragmentsEnvOptions,
  ) {
    super(rdkit, options.tracker, options.caption, options.score);
    const { fragments } = options;
    this.fragments = fragments;
    this.minFragments = options.minFragments ?? 2;
    this.maxFragments = options.maxFragments ?? 8;
    this.maxStems = options.maxStems ?? 6;
    this.enumerable = options.enumerable ?? false;
    this.cache = new LruMap(options.cacheSize ?? 20000);
    this.rewards = new LruMap(options.cacheSize ?? 20000);
    this.reachableMemo = new LruMap(10 * (options.cacheSize ?? 20000));
    if (!(this.minFragments >= 1 && this.minFragments <= this.maxFragments)) {
      throw new Error('FragmentsEnv: need 1 <= minFragments <= maxFragments');
    }
    fragments.forEach((f, i) => {
      this.byAnchored.set(f.anchored, i);
      this.anchoredHashes.add(f.anchoredHash);
      this.plainHashes.add(f.plainHash);
      if (!this.byPlain.has(f.plain)) this.byPlain.set(f.plain, i);
      const same = this.byComposition.get(`${f.composition}|${f.attachments}`) ?? [];
      same.push(f);
      this.byComposition.set(`${f.composition}|${f.attachments}`, same);
    });
    const longest = fragments.map((f) => f.plain.length + 8).sort((a, b) => b - a);
    this.width = longest.slice(0, this.maxFragments).reduce((s, x) => s + x, 0) * 2;
    const bondsPerFragment = fragments.map((f) => f.heavyAtoms * 2 + f.attachments);
    const maxBonds = bondsPerFragment
      .sort((a, b) => b - a)
      .slice(0, this.maxFragments)
      .reduce((s, x) => s + x, 0);
    this.stateDim = 2 + this.width;
    this.numActions = this.maxStems * fragments.length + 1;
    this.exitAction = this.numActions - 1;
    this.numBackwardActions = 1 + 2 * maxBonds;
    this.featureDim =
      this.maxFragments + 1 + this.maxStems + 1 + FP_BITS + this.maxStems * STEM_FEATURES;
    this.maxTrajectoryLength = this.maxFragments + 1;
    this.initialState = new Int32Array(this.stateDim);
  }

  // ---- state encoding --------------------------------------------------------------------

  private encode(info: StateInfo, out: Int32Array, offset: number): void {
    const { smiles } = info;
    if (smiles.length > this.width) {
      throw new Error(`${this.name}: SMILES longer than the state width ${this.width}: ${smiles}`);
    }
    out[offset] = info.count;
    out[offset + 1] = smiles.length;
    for (let i = 0; i < smiles.length; i++) out[offset + 2 + i] = smiles.charCodeAt(i);
    out.fill(0, offset + 2 + smiles.length, offset + this.stateDim);
  }

  private infoAt(states: Int32Array, i: number): StateInfo {
    const o = i * this.stateDim;
    const count = states[o]!;
    const len = states[o + 1]!;
    const smiles = String.fromCharCode(...states.subarray(o + 2, o + 2 + len));
    return this.state(count, smiles);
  }

  /** The state info of a molecule with open attachment points (canonical SMILES). */
  private state(count: number, smiles: string): StateInfo {
    return this.byKey(`${count}|${smiles}`);
  }

  private byKey(key: string): StateInfo {
    let info = this.cache.get(key);
    if (!info) {
      const bar = key.indexOf('|');
      info = this.computeInfo(key, Number(key.slice(0, bar)), key.slice(bar + 1));
      this.cache.set(key, info);
    }
    return info;
  }

  private computeInfo(key: string, count: number, smiles: string): StateInfo {
    const F = this.fragments.length;
    const forward = new Uint8Array(this.numActions);
    if (count === 0) {
      const empty = { atoms: [], bonds: [], rings: [] };
      const info: StateInfo = {
        key,
        count,
        smiles,
        graph: empty,
        stems: [],
        stemClasses: [],
        forward,
        children: new Map(),
      };
      const seen = new Set<string>();
      this.fragments.forEach((f, i) => {
        if (seen.has(f.plain) || !this.canContinue(1, f.attachments)) return;
        seen.add(f.plain);
        forward[i] = 1;
      });
      return info;
    }
    const graph = withMol(this.rdkit, smiles, (mol) => {
      if (!mol) throw new Error(`${this.name}: RDKit rejects state SMILES ${smiles}`);
      return atomGraph(mol);
    });
    const stems = graph.atoms.flatMap((a, i) => (a.z === 0 ? [i] : []));
    const stemClasses = stems.map((s) => this.stemClass(graph, s));
    const info: StateInfo = {
      key,
      count,
      smiles,
      graph,
      stems,
      stemClasses,
      forward,
      children: new Map(),
    };
    if (count >= this.minFragments) forward[this.exitAction] = 1;
    if (count < this.maxFragments) {
      const classes = new Set<string>();
      stems.forEach((_, k) => {
        if (k >= this.maxStems || classes.has(stemClasses[k]!)) return;
        classes.add(stemClasses[k]!);
        this.fragments.forEach((f, fi) => {
          const open = stems.length - 1 + f.attachments - 1;
          if (!this.canContinue(count + 1, open)) return;
          forward[k * F + fi] = 1;
        });
      });
    }
    return info;
  }

  /** A state with `count` fragments and `open` attachment points is allowed and not a dead end. */
  private canContinue(count: number, open: number): boolean {
    if (open > this.maxStems) return false;
    return count >= this.minFragments || (open > 0 && count < this.maxFragments);
  }

  private stemClass(graph: SubGraph, stem: number): string {
    const atoms = graph.atoms.map((a, i) => (i === stem ? { ...a, isotope: 1 } : a));
    return graphHash(atoms, graph.bonds);
  }

  /** Canonical SMILES of a graph, optionally with one atom (a dummy) labelled as isotope `iso`. */
  private canonical(graph: SubGraph, at = -1, iso = 0): string {
    return withMol(this.rdkit, labelledMolblock(graph, at, iso), (mol) => {
      if (!mol) throw new Error(`${this.name}: RDKit rejects a graph it produced`);
      return mol.get_smiles();
    });
  }

  private child(info: StateInfo, action: number): StateInfo {
    const known = info.children.get(action);
    if (known !== undefined) return this.byKey(known);
    let child: StateInfo;
    if (!info.forward[action]) throw new Error(`${this.name}: action ${action} is not allowed`);
    const F = this.fragments.length;
    const f = this.fragments[action % F]!;
    if (info.count === 0) {
      child = this.state(1, f.plain);
    } else {
      const k = Math.floor(action / F);
      const smiles = this.zip(labelledMolblock(info.graph, info.stems[k]!, 1), f.anchored);
      child = this.state(info.count + 1, smiles);
    }
    info.children.set(action, child.key);
    return child;
  }

  /** Joins two molecules (SMILES or molblocks) at their isotope-1 attachment points. */
  private zip(a: string, b: string): string {
    return withMol(this.rdkit, a, (ma) =>
      withMol(this.rdkit, b, (mb) => {
        const zipped = this.rdkit.molzip(ma!, mb!, ISOTOPE);
        try {
          if (!zipped || !zipped.is_valid())
            throw new Error(`${this.name}: cannot join ${a} and ${b}`);
          return zipped.get_smiles();
        } finally {
          zipped?.delete();
        }
      }),
    );
  }

  // ---- parents --------------------------------------------------------------------------

  /**
   * Each way to remove a leaf fragment: cut a non-ring single bond u-v so that v's side, with a
   * new anchor at v, is a vocabulary fragment, and u's side, with a new attachment point at u, is
   * a state that can reach this one. Distinct parents only (the first cut that reaches one).
   */
  private findParents(info: StateInfo): Edge[] {
    const out: Edge[] = [];
    if (info.count === 1) {
      const f = this.byPlain.get(info.smiles);
      if (f !== undefined)
        out.push({ action: 0, parent: '0|', forwardAction: f, moreForwardActions: [] });
      return out;
    }
    const seen = new Map<string, Edge>();
    for (const cut of this.leafCuts(info.graph)) {
      if (!this.reachableGraph(cut.rest, info.count - 1)) continue;
      // The graph hashes said yes; RDKit's canonical SMILES decide.
      const fi = this.byAnchored.get(this.canonical(cut.leaf));
      if (fi === undefined) continue;
      const parent = this.state(info.count - 1, this.canonical(cut.rest));
      const k = parent.stemClasses.indexOf(this.stemClass(cut.rest, cut.rest.atoms.length - 1));
      const forwardAction = k * this.fragments.length + fi;
      if (k < 0 || k >= this.maxStems || !parent.forward[forwardAction]) continue;
      const earlier = seen.get(parent.key);
      if (earlier) {
        if (
          earlier.forwardAction !== forwardAction &&
          !earlier.moreForwardActions.includes(forwardAction)
        )
          earlier.moreForwardActions.push(forwardAction);
        continue;
      }
      const edge = {
        action: 1 + 2 * cut.bond + cut.dir,
        parent: parent.key,
        forwardAction,
        moreForwardActions: [],
      };
      seen.set(parent.key, edge);
      out.push(edge);
    }
    return out;
  }

  /**
   * The cuts of a graph that split off a leaf matching a vocabulary fragment (by graph hash):
   * the leaf with its anchor (isotope 1) and the rest with a new attachment point, both last.
   */
  private *leafCuts(graph: SubGraph): Generator<{
    bond: number;
    dir: number;
    leaf: SubGraph;
    rest: SubGraph;
  }> {
    const adj = adjacency(graph);
    for (const [bi, bond] of graph.bonds.entries()) {
      if (bond.order !== 1 || bond.aromatic) continue;
      if (graph.atoms[bond.a]!.z === 0 || graph.atoms[bond.b]!.z === 0) continue;
      for (const dir of [0, 1]) {
        const [u, v] = dir === 0 ? [bond.a, bond.b] : [bond.b, bond.a];
        const side = sideOf(adj, v, u);
        if (side.includes(u)) break; // a ring bond
        const heavy = side.filter((i) => graph.atoms[i]!.z !== 0);
        const open = side.length - heavy.length;
        const composition = compositionKey(heavy.map((i) => graph.atoms[i]!.z));
        if (!this.byComposition.has(`${composition}|${open + 1}`)) continue;
        const leaf = withNewStem(graph, side, v, 1);
        if (!this.anchoredHashes.has(graphHash(leaf.atoms, leaf.bonds))) continue;
        const inSide = new Set(side);
        const rest = graph.atoms.map((_, i) => i).filter((i) => !inSide.has(i));
        yield { bond: bi, dir, leaf, rest: withNewStem(graph, rest, u, 0) };
      }
    }
  }

  /**
   * Whether a molecule graph with open attachment points is a state reachable from s0 with
   * `count` fragments: a search over leaf cuts on graphs alone (hashes, no RDKit), memoized.
   */
  private reachableGraph(graph: SubGraph, count: number): boolean {
    const stems = graph.atoms.filter((a) => a.z === 0).length;
    if (!this.canContinue(count, stems)) return false;
    const hash = graphHash(graph.atoms, graph.bonds);
    if (count === 1) return this.plainHashes.has(hash);
    const key = `${count}|${hash}`;
    const known = this.reachableMemo.get(key);
    if (known !== undefined) return known;
    let found = false;
    for (const cut of this.leafCuts(graph)) {
      if (this.reachableGraph(cut.rest, count - 1)) {
        found = true;
        break;
      }
    }
    this.reachableMemo.set(key, found);
    return found;
  }

  private parentsOf(info: StateInfo): Edge[] {
    info.parents ??= this.findParents(info);
    return info.parents;
  }

  // ---- the env contract ----------------------------------------------------------------

  forwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    for (let i = 0; i < n; i++) out.set(this.infoAt(states, i).forward, i * this.numActions);
  }

  backwardMask(states: Int32Array, n: number, out: Uint8Array): void {
    out.fill(0, 0, n * this.numBackwardActions);
    for (let i = 0; i < n; i++) {
      for (const p of this.parentsOf(this.infoAt(states, i)))
        out[i * this.numBackwardActions + p.action] = 1;
    }
  }

  step(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      this.encode(this.child(this.infoAt(states, i), actions[i]!), out, i * this.stateDim);
    }
  }

  backwardStep(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const edge = this.edge(this.infoAt(states, i), backActions[i]!);
      this.encode(this.byKey(edge.parent), out, i * this.stateDim);
    }
  }

  private edge(info: StateInfo, backAction: number) {
    const edge = this.parentsOf(info).find((p) => p.action === backAction);
    if (!edge) throw new Error(`${this.name}: backward action ${backAction} is not allowed`);
    return edge;
  }

  backwardActionOf(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) {
      const parent = this.infoAt(states, i);
      const child = this.child(parent, actions[i]!);
      const edge = this.parentsOf(child).find((p) => p.parent === parent.key);
      if (!edge)
        throw new Error(
          `${this.name}: ${child.smiles} does not list ${parent.smiles || 's0'} as a parent`,
        );
      out[i] = edge.action;
    }
  }

  forwardActionOf(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++)
      out[i] = this.edge(this.infoAt(states, i), backActions[i]!).forwardAction;
  }

  /** Every edge into the state: each distinct parent once per forward action that reaches it. */
  parents(state: Int32Array): Parents {
    const edges = this.parentsOf(this.infoAt(state, 0)).flatMap((e) =>
      [e.forwardAction, ...e.moreForwardActions].map((a) => ({ parent: e.parent, action: a })),
    );
    const states = new Int32Array(edges.length * this.stateDim);
    edges.forEach((e, j) => this.encode(this.byKey(e.parent), states, j * this.stateDim));
    return { states, actions: Int32Array.from(edges.map((e) => e.action)) };
  }

  canonicalKey(state: Int32Array): string {
    return this.infoAt(state, 0).key;
  }

  /** The finished molecule of each state: canonical SMILES with open attachment points as H. */
  smiles(states: Int32Array, n: number): string[] {
    return Array.from({ length: n }, (_, i) => this.moleculeOf(this.infoAt(states, i)));
  }

  private moleculeOf(info: StateInfo): string {
    info.molecule ??=
      info.count === 0
        ? ''
        : withMol(this.rdkit, info.smiles.replaceAll('*', '[H]'), (mol) => {
            if (!mol) throw new Error(`${this.name}: RDKit rejects the molecule of ${info.smiles}`);
            return mol.get_smiles();
          });
    return info.molecule;
  }

  logReward(states: Int32Array, n: number): Promise<Float64Array> {
    return cachedBatch(this.rewards, this.smiles(states, n), (missing) =>
      this.options.logReward(missing),
    );
  }

  private fingerprintOf(info: StateInfo): Uint8Array {
    info.fingerprint ??=
      info.count === 0
        ? new Uint8Array(FP_BITS / 8)
        : withMol(this.rdkit, info.smiles, (mol) =>
            Uint8Array.from(mol!.get_morgan_fp_as_uint8array(FP_JSON) as Uint8Array),
          );
    return info.fingerprint;
  }

  featurize(states: Int32Array, n: number, out: Float32Array): void {
    for (let i = 0; i < n; i++)
      out.set(this.featuresOf(this.infoAt(states, i)), i * this.featureDim);
  }

  private featuresOf(info: StateInfo): Float32Array {
    if (info.features) return info.features;
    const x = new Float32Array(this.featureDim);
    x[info.count] = 1;
    let o = this.maxFragments + 1;
    x[o + Math.min(info.stems.length, this.maxStems)] = 1;
    o += this.maxStems + 1;
    const fp = this.fingerprintOf(info);
    for (let b = 0; b < FP_BITS; b++) x[o + b] = (fp[b >> 3]! >> (7 - (b & 7))) & 1;
    o += FP_BITS;
    const { graph } = info;
    const adj = adjacency(graph);
    const inRing = new Set(graph.rings.flat());
    info.stems.slice(0, this.maxStems).forEach((s, k) => {
      const a = adj[s]![0]!;
      const atom = graph.atoms[a]!;
      const base = o + k * STEM_FEATURES;
      const element = ELEMENT_SLOTS.indexOf(atom.z);
      x[base] = 1;
      x[base + 1 + (element < 0 ? ELEMENT_SLOTS.length : element)] = 1;
      let f = base + 2 + ELEMENT_SLOTS.length;
      x[f++] = atom.aromatic ? 1 : 0;
      x[f++] = inRing.has(a) ? 1 : 0;
      const degree = adj[a]!.filter((j) => graph.atoms[j]!.z !== 0).length;
      x[f + Math.min(Math.max(degree, 1), 4) - 1] = 1;
      f += 4;
      x[f + Math.min(atom.hydrogens, 3)] = 1;
    });
    info.features = x;
    return x;
  }

  /** 1 - Tanimoto similarity of the Morgan fingerprints (diversity-aware replay). */
  distance(a: Int32Array, b: Int32Array): number {
    return (
      1 - tanimoto(this.fingerprintOf(this.infoAt(a, 0)), this.fingerprintOf(this.infoAt(b, 0)))
    );
  }

  /** States the env has analysed so far (its caches grow with the molecules it meets). */
  get cachedStates(): number {
    return this.cache.size;
  }
}
