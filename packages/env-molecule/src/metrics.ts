import { tanimoto } from './chem/fingerprint.js';

/** Mean of the k highest values (of all of them when there are fewer than k); NaN when empty. */
export function topKMean(values: readonly number[], k: number): number {
  if (values.length === 0) return NaN;
  const top = [...values].sort((a, b) => b - a).slice(0, k);
  return top.reduce((s, v) => s + v, 0) / top.length;
}

/** Mean Tanimoto similarity over all pairs of fingerprints; NaN with fewer than two. */
export function meanPairwiseTanimoto(fps: readonly Uint8Array[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < fps.length; i++) {
    for (let j = i + 1; j < fps.length; j++) {
      sum += tanimoto(fps[i]!, fps[j]!);
      pairs += 1;
    }
  }
  return pairs === 0 ? NaN : sum / pairs;
}

/**
 * Modes as the molecule literature counts them: a molecule whose reward reaches `threshold` and
 * whose Tanimoto similarity to every earlier mode is below `maxSimilarity` (0.7) is a new mode.
 * Molecules are seen in sampling order, so the count depends on it, as in the papers.
 */
export class ModeCounter {
  private readonly modes: Uint8Array[] = [];

  constructor(
    readonly threshold: number,
    readonly maxSimilarity = 0.7,
  ) {}

  /** Returns true when the molecule is a new mode. */
  observe(reward: number, fp: Uint8Array): boolean {
    if (!(reward >= this.threshold)) return false;
    for (const m of this.modes) if (tanimoto(m, fp) >= this.maxSimilarity) return false;
    this.modes.push(fp);
    return true;
  }

  get count(): number {
    return this.modes.length;
  }

  /** The modes' fingerprints (base64), for a checkpoint. */
  saveState(): string[] {
    return this.modes.map((fp) => Buffer.from(fp).toString('base64'));
  }

  loadState(state: readonly string[]): void {
    this.modes.splice(
      0,
      this.modes.length,
      ...state.map((b) => new Uint8Array(Buffer.from(b, 'base64'))),
    );
  }
}

export interface SampleSummary {
  count: number;
  valid_fraction: number;
  unique_fraction: number;
  top10_mean: number;
  top100_mean: number;
  top1000_mean: number;
  /** Mean pairwise Tanimoto similarity of the top 100 distinct molecules by reward. */
  top100_similarity: number;
}

/**
 * Metrics of a set of sampled molecules: valid and unique fractions (by canonical SMILES, null
 * for invalid), top-k mean rewards over distinct molecules, and the diversity of the top 100.
 */
export function summarizeSamples(
  samples: readonly { smiles: string | null; reward: number; fp: Uint8Array | null }[],
): SampleSummary {
  const valid = samples.filter((s) => s.smiles !== null);
  const distinct = new Map<string, { reward: number; fp: Uint8Array | null }>();
  for (const s of valid) distinct.set(s.smiles!, { reward: s.reward, fp: s.fp });
  const ranked = [...distinct.values()].sort((a, b) => b.reward - a.reward);
  const rewards = ranked.map((r) => r.reward);
  const topFps = ranked
    .slice(0, 100)
    .map((r) => r.fp)
    .filter((f): f is Uint8Array => f !== null);
  return {
    count: samples.length,
    valid_fraction: samples.length === 0 ? NaN : valid.length / samples.length,
    unique_fraction: valid.length === 0 ? NaN : distinct.size / valid.length,
    top10_mean: topKMean(rewards, 10),
    top100_mean: topKMean(rewards, 100),
    top1000_mean: topKMean(rewards, 1000),
    top100_similarity: meanPairwiseTanimoto(topFps),
  };
}
