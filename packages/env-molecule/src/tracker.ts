import type { SampleTracker } from '@gflownet/core';
import { morganFingerprint } from './chem/fingerprint.js';
import { type RDKit, withMol } from './chem/rdkit.js';
import { ModeCounter, meanPairwiseTanimoto } from './metrics.js';
import type { ScoreCache } from './rewards.js';

interface Ranked {
  smiles: string;
  score: number;
  fp: Uint8Array;
}

const TOP = 1000;

/** What `summarize` makes of a batch: plain data that can cross threads. */
interface MoleculeSummary {
  smiles: string[];
  scores: ArrayLike<number>;
  fps: (Uint8Array | null)[];
}

/**
 * Molecule metrics over everything sampled during training: valid and unique fractions, the mean
 * raw score (e.g. QED) of the top 10, 100 and 1000 distinct molecules, modes (score at least
 * `threshold` and Tanimoto similarity below 0.7 to every earlier mode; Morgan radius 2, 2048
 * bits) and the mean pairwise similarity of the top 100.
 */
export class MoleculeTracker implements SampleTracker {
  private total = 0;
  private valid = 0;
  private readonly seen = new Set<string>();
  private readonly modes: ModeCounter;
  private top: Ranked[] = [];

  constructor(
    private readonly rdkit: RDKit,
    private readonly smilesOf: (states: Int32Array, n: number) => string[],
    private readonly scores: ScoreCache,
    threshold: number,
  ) {
    this.modes = new ModeCounter(threshold);
  }

  /** Each molecule's SMILES, raw score and fingerprint (null when RDKit cannot parse it). */
  async summarize(states: Int32Array, n: number): Promise<MoleculeSummary> {
    const smiles = this.smilesOf(states, n);
    const scores = await this.scores.scores(smiles);
    const fps = smiles.map((s) =>
      withMol(this.rdkit, s, (mol) => (mol ? morganFingerprint(mol) : null)),
    );
    return { smiles, scores, fps };
  }

  async observe(
    states: Int32Array,
    n: number,
    _logRewards?: Float64Array,
    summary?: unknown,
  ): Promise<void> {
    const { smiles, scores, fps } =
      (summary as MoleculeSummary | undefined) ?? (await this.summarize(states, n));
    smiles.forEach((s, i) => {
      this.total += 1;
      const fp = fps[i];
      if (!fp) return;
      this.valid += 1;
      const score = scores[i]!;
      this.modes.observe(score, fp);
      if (this.seen.has(s)) return;
      this.seen.add(s);
      if (this.top.length < TOP || score > this.top.at(-1)!.score)
        this.insert({ smiles: s, score, fp });
    });
  }

  private insert(entry: Ranked): void {
    let lo = 0;
    let hi = this.top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.top[mid]!.score >= entry.score) lo = mid + 1;
      else hi = mid;
    }
    this.top.splice(lo, 0, entry);
    if (this.top.length > TOP) this.top.pop();
  }

  saveState(): unknown {
    return {
      total: this.total,
      valid: this.valid,
      seen: [...this.seen],
      modes: this.modes.saveState(),
      top: this.top.map((t) => ({ ...t, fp: Buffer.from(t.fp).toString('base64') })),
    };
  }

  loadState(state: unknown): void {
    const s = state as {
      total: number;
      valid: number;
      seen: string[];
      modes: string[];
      top: { smiles: string; score: number; fp: string }[];
    };
    this.total = s.total;
    this.valid = s.valid;
    this.seen.clear();
    for (const x of s.seen) this.seen.add(x);
    this.modes.loadState(s.modes);
    this.top = s.top.map((t) => ({ ...t, fp: new Uint8Array(Buffer.from(t.fp, 'base64')) }));
  }

  report(): Record<string, number> {
    const mean = (k: number) => {
      const xs = this.top.slice(0, k);
      return xs.length === 0 ? NaN : xs.reduce((s, x) => s + x.score, 0) / xs.length;
    };
    return {
      molecules: this.total,
      valid_fraction: this.total === 0 ? NaN : this.valid / this.total,
      unique_fraction: this.valid === 0 ? NaN : this.seen.size / this.valid,
      top10_mean: mean(10),
      top100_mean: mean(100),
      top1000_mean: mean(1000),
      modes: this.modes.count,
      top100_similarity: meanPairwiseTanimoto(this.top.slice(0, 100).map((x) => x.fp)),
    };
  }
}
