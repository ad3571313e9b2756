import type { DiscreteEnv } from '../env/env.js';
import { stateDistance, stateKey } from '../env/state-utils.js';
import type { Prediction } from './proxy.js';

/**
 * A diverse batch from a pool of candidates (rows of `pool`): distinct objects not in `exclude`
 * (canonical keys), taken greedily by descending `values`, each at distance >= `minDistance`
 * (env.distance, else the L1 distance of the ints) from those taken before. When the threshold
 * leaves fewer than `count`, the best remaining distinct candidates fill the batch. Returns row
 * indices into the pool, best first.
 */
export function selectDiverseBatch(
  env: DiscreteEnv,
  pool: Int32Array,
  values: Float64Array,
  count: number,
  options: { minDistance: number; exclude: ReadonlySet<string> },
): number[] {
  const d = env.stateDim;
  const n = values.length;
  const seen = new Set<string>();
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = stateKey(env, pool, i);
    if (options.exclude.has(key) || seen.has(key)) continue;
    seen.add(key);
    candidates.push(i);
  }
  candidates.sort((a, b) => values[b]! - values[a]! || a - b);
  const row = (i: number) => pool.subarray(i * d, (i + 1) * d);
  const chosen: number[] = [];
  const passed = new Set<number>();
  for (const i of candidates) {
    if (chosen.length >= count) break;
    if (
      options.minDistance > 0 &&
      chosen.some((j) => stateDistance(env, row(i), row(j)) < options.minDistance)
    ) {
      continue;
    }
    chosen.push(i);
    passed.add(i);
  }
  for (const i of candidates) {
    if (chosen.length >= count) break;
    if (!passed.has(i)) chosen.push(i);
  }
  return chosen;
}

/** The largest value (a loop, not Math.max(...xs), which overflows the stack for large data). */
export function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Mean of the k largest values (all of them when fewer). */
export function topKMean(values: readonly number[], k: number): number {
  const top = [...values].sort((a, b) => b - a).slice(0, k);
  return top.length ? top.reduce((s, v) => s + v, 0) / top.length : NaN;
}

/** Mean pairwise distance among `states` (rows), NaN for fewer than two. */
export function meanPairwiseDistance(env: DiscreteEnv, states: readonly Int32Array[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < states.length; i++) {
    for (let j = i + 1; j < states.length; j++) {
      sum += stateDistance(env, states[i]!, states[j]!);
      pairs += 1;
    }
  }
  return pairs ? sum / pairs : NaN;
}

/**
 * Modes among scored objects. With env.modeOf, the distinct modes it names. Otherwise, taking
 * objects by descending score: each with score >= `threshold` at distance >= `minDistance` from
 * every mode before it (the molecule literature's count, with distance 1 - Tanimoto).
 */
export function countModes(
  env: DiscreteEnv,
  states: readonly Int32Array[],
  scores: readonly number[],
  options: { threshold: number | null; minDistance: number },
): number | null {
  if (env.modeOf) {
    const modes = new Set<string>();
    for (const s of states) {
      const m = env.modeOf(s);
      if (m !== null) modes.add(m);
    }
    return modes.size;
  }
  if (options.threshold === null) return null;
  const order = states.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const modes: Int32Array[] = [];
  for (const i of order) {
    if (scores[i]! < options.threshold) break;
    const s = states[i]!;
    if (modes.every((m) => stateDistance(env, s, m) >= options.minDistance)) modes.push(s);
  }
  return modes.length;
}

/** How well a proxy's predictions matched the scores the oracle then gave. */
export interface Calibration {
  /** Root mean squared error of the mean. */
  rmse: number;
  /** Spearman rank correlation of the mean with the scores. */
  spearman: number;
  /** Fractions of scores within 1 and 2 predicted standard deviations of the mean. */
  coverage_1sd: number;
  coverage_2sd: number;
  /** Mean Gaussian negative log-likelihood of the scores (std floored at 1e-6 of the score range). */
  nll: number;
}

export function calibration(p: Prediction, scores: readonly number[]): Calibration {
  const n = scores.length;
  if (n === 0) return { rmse: NaN, spearman: NaN, coverage_1sd: NaN, coverage_2sd: NaN, nll: NaN };
  const range = maxOf(scores) + maxOf(scores.map((v) => -v)) || 1;
  let se = 0;
  let c1 = 0;
  let c2 = 0;
  let nll = 0;
  for (let i = 0; i < n; i++) {
    const err = scores[i]! - p.mean[i]!;
    const sd = Math.max(p.std[i]!, 1e-6 * range);
    se += err * err;
    if (Math.abs(err) <= sd) c1 += 1;
    if (Math.abs(err) <= 2 * sd) c2 += 1;
    nll += 0.5 * Math.log(2 * Math.PI * sd * sd) + (err * err) / (2 * sd * sd);
  }
  return {
    rmse: Math.sqrt(se / n),
    spearman: pearson(ranks(Array.from(p.mean.subarray(0, n))), ranks([...scores])),
    coverage_1sd: c1 / n,
    coverage_2sd: c2 / n,
    nll: nll / n,
  };
}

/** Ranks 0..n-1 with ties given their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) out[order[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}
