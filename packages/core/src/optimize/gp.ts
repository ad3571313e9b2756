import { UserError } from '../errors.js';
import type { Prediction, Proxy } from './proxy.js';

/** Noise-to-signal ratios the fit chooses from, by marginal likelihood. */
const NOISE_RATIOS = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1];

/** A row of nonnegative features, kept sparse: its nonzero indices (ascending), values and sum. */
interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
  sum: number;
}

function sparseRows(x: Float32Array, n: number, dim: number): SparseRow[] {
  const rows: SparseRow[] = [];
  for (let i = 0; i < n; i++) {
    const idx: number[] = [];
    const val: number[] = [];
    let sum = 0;
    for (let j = 0; j < dim; j++) {
      const v = x[i * dim + j]!;
      if (v < 0 || !Number.isFinite(v)) {
        throw new UserError(
          `the gp proxy's Tanimoto kernel needs finite features >= 0; feature ${j} of row ${i} is ${v} (use --proxy ensemble)`,
        );
      }
      if (v > 0) {
        idx.push(j);
        val.push(v);
        sum += v;
      }
    }
    rows.push({ idx: Int32Array.from(idx), val: Float64Array.from(val), sum });
  }
  return rows;
}

/**
 * The Tanimoto (MinMax) similarity sum(min(a, b)) / sum(max(a, b)) of two nonnegative rows: on
 * bit vectors such as fingerprints, |a and b| / |a or b|. It is a positive-definite kernel
 * (Ralaivola et al. 2005), 1 for equal rows (two zero rows included).
 */
function tanimotoKernel(a: SparseRow, b: SparseRow): number {
  let min = 0;
  let i = 0;
  let j = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const ai = a.idx[i]!;
    const bj = b.idx[j]!;
    if (ai === bj) {
      min += Math.min(a.val[i++]!, b.val[j++]!);
    } else if (ai < bj) {
      i++;
    } else {
      j++;
    }
  }
  const max = a.sum + b.sum - min;
  return max > 0 ? min / max : 1;
}

/** In-place lower Cholesky factor of the n x n matrix `a` (row major); false if not positive. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solves L z = b in place (L lower triangular, from cholesky). */
function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Solves L^T z = b in place. */
function solveUpper(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * A Gaussian process on the env's features with a Tanimoto (MinMax) kernel: the standard proxy
 * for molecules from few data (fingerprints), and usable on any env whose features are >= 0.
 * The mean is the data's mean, so far from the data the prediction falls back to it and the
 * uncertainty grows to the prior's: the proxy knows what it has not seen. The noise-to-signal
 * ratio is chosen from a grid by marginal likelihood, with the signal variance at its
 * maximum-likelihood value for that ratio. The fit is exact (O(n^3) in the data), deterministic,
 * and takes no seed.
 */
export class GpProxy implements Proxy {
  private rows: SparseRow[] = [];
  private chol: Float64Array = new Float64Array(0);
  private alpha: Float64Array = new Float64Array(0);
  private yMean = 0;
  private yStd = 1;
  private signal = 1;
  /** The chosen noise-to-signal ratio (after a fit). */
  noiseRatio = NaN;

  constructor(readonly inputDim: number) {}

  get fitted(): boolean {
    return this.rows.length > 0;
  }

  /** Fits to rows of `x` and scores `y`; returns the training MSE of the posterior mean. */
  fit(x: Float32Array, y: ArrayLike<number>, _seed = 0): Promise<number> {
    const n = y.length;
    if (n === 0) throw new UserError('the proxy has no data to fit');
    if (x.length !== n * this.inputDim) {
      throw new UserError(`proxy features: ${x.length} floats for ${n} rows of ${this.inputDim}`);
    }
    const rows = sparseRows(x, n, this.inputDim);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i]!;
    const yMean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (y[i]! - yMean) ** 2;
    const yStd = Math.sqrt(sq / n) || 1;
    const ys = Float64Array.from({ length: n }, (_, i) => (y[i]! - yMean) / yStd);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      k[i * n + i] = 1;
      for (let j = 0; j < i; j++) k[i * n + j] = k[j * n + i] = tanimotoKernel(rows[i]!, rows[j]!);
    }
    let best: { score: number; ratio: number; chol: Float64Array; alpha: Float64Array } | null =
      null;
    for (const ratio of NOISE_RATIOS) {
      const a = Float64Array.from(k);
      for (let i = 0; i < n; i++) a[i * n + i]! += ratio;
      if (!cholesky(a, n)) continue;
      const alpha = Float64Array.from(ys);
      solveLower(a, n, alpha);
      let quad = 0;
      for (let i = 0; i < n; i++) quad += alpha[i]! ** 2;
      solveUpper(a, n, alpha);
      let logDet = 0;
      for (let i = 0; i < n; i++) logDet += 2 * Math.log(a[i * n + i]!);
      // Profile likelihood: the signal variance at its optimum quad / n for this ratio.
      const score = -n * Math.log(Math.max(quad / n, 1e-300)) - logDet;
      if (!best || score > best.score) best = { score, ratio, chol: a, alpha };
    }
    if (!best) throw new UserError('the gp proxy could not factor its kernel matrix');
    let quad = 0;
    for (let i = 0; i < n; i++) quad += ys[i]! * best.alpha[i]!;
    this.rows = rows;
    this.chol = best.chol;
    this.alpha = best.alpha;
    this.noiseRatio = best.ratio;
    this.signal = Math.max(quad / n, 1e-12);
    this.yMean = yMean;
    this.yStd = yStd;
    // (K + rI) alpha = y, so the posterior mean at the data is y - r alpha.
    let mse = 0;
    for (let i = 0; i < n; i++) mse += (best.ratio * best.alpha[i]! * yStd) ** 2;
    return Promise.resolve(mse / n);
  }

  /** Posterior mean and standard deviation (of the function, not of a noisy score). */
  predict(x: Float32Array, n: number): Promise<Prediction> {
    if (!this.fitted) throw new UserError('the proxy has not been fit');
    const m = this.rows.length;
    const queries = sparseRows(x, n, this.inputDim);
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    const kq = new Float64Array(m);
    for (let q = 0; q < n; q++) {
      let mu = 0;
      for (let i = 0; i < m; i++) {
        kq[i] = tanimotoKernel(queries[q]!, this.rows[i]!);
        mu += kq[i]! * this.alpha[i]!;
      }
      solveLower(this.chol, m, kq);
      let explained = 0;
      for (let i = 0; i < m; i++) explained += kq[i]! ** 2;
      mean[q] = this.yMean + this.yStd * mu;
      std[q] = this.yStd * Math.sqrt(this.signal * Math.max(0, 1 - explained));
    }
    return Promise.resolve({ mean, std });
  }

  dispose(): void {
    this.rows = [];
  }
}
