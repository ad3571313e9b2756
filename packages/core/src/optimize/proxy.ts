import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import { Rng } from '../util/rng.js';

export interface EnsembleOptions {
  /** MLPs in the ensemble; their spread is the proxy's uncertainty. */
  members: number;
  /** Hidden layer sizes of each MLP (ReLU). */
  hidden: readonly number[];
  /** Adam steps per member per fit, on minibatches of `batchSize`. */
  steps: number;
  batchSize: number;
  lr: number;
  /** Each member trains on a bootstrap resample of the data (else on all of it). */
  bootstrap: boolean;
  seed: number;
}

export const ENSEMBLE_DEFAULTS: EnsembleOptions = {
  members: 5,
  hidden: [64, 64],
  steps: 400,
  batchSize: 64,
  lr: 3e-3,
  bootstrap: true,
  seed: 0,
};

/** The proxy's prediction for each input, in the units of the scores it was fit on. */
export interface Prediction {
  mean: Float64Array;
  std: Float64Array;
}

/** A model of the oracle with uncertainty, refit to all data each round. */
export interface Proxy {
  readonly fitted: boolean;
  /** Fits to rows of features `x` and scores `y`; returns the training MSE in score units. */
  fit(x: Float32Array, y: ArrayLike<number>, seed: number): Promise<number>;
  /** Mean and standard deviation for `n` rows of features, in score units. */
  predict(x: Float32Array, n: number): Promise<Prediction>;
  dispose(): void;
}

/**
 * The proxies by name: `ensemble`, MLPs on the env's features (any env); `gp`, a Gaussian
 * process with a Tanimoto kernel (features >= 0; fingerprints from few data).
 */
export const PROXIES = ['ensemble', 'gp'] as const;
export type ProxyName = (typeof PROXIES)[number];

interface Member {
  weights: tf.Variable[];
  biases: tf.Variable[];
}

/**
 * An ensemble of MLPs fit to (features, score) pairs, each member from its own random start on
 * its own bootstrap resample: the members' mean is the prediction and their standard deviation
 * the uncertainty (Lakshminarayanan et al. 2017, without the adversarial term). Scores are
 * standardized for training. Every fit starts from fresh weights, and everything random comes
 * from the seed, so a fit is a function of its data and seed (what a resumed loop relies on).
 */
export class EnsembleProxy implements Proxy {
  readonly options: EnsembleOptions;
  private members: Member[] = [];
  private yMean = 0;
  private yStd = 1;

  constructor(
    readonly inputDim: number,
    options: Partial<EnsembleOptions> = {},
  ) {
    this.options = { ...ENSEMBLE_DEFAULTS, ...options };
    if (this.options.members < 1) throw new UserError('a proxy ensemble needs at least 1 member');
  }

  /** Whether fit has been called. */
  get fitted(): boolean {
    return this.members.length > 0;
  }

  /**
   * Fits every member to rows of `x` ([n, inputDim]) and scores `y`; `seed` varies the starts
   * and resamples from one fit to the next. Returns the members' mean training MSE (score units).
   */
  async fit(x: Float32Array, y: ArrayLike<number>, seed: number): Promise<number> {
    const n = y.length;
    if (n === 0) throw new UserError('the proxy has no data to fit');
    if (x.length !== n * this.inputDim) {
      throw new UserError(`proxy features: ${x.length} floats for ${n} rows of ${this.inputDim}`);
    }
    this.disposeMembers();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i]!;
    this.yMean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (y[i]! - this.yMean) ** 2;
    this.yStd = Math.sqrt(sq / n) || 1;
    const yStd = Float32Array.from({ length: n }, (_, i) => (y[i]! - this.yMean) / this.yStd);
    const o = this.options;
    const xs = tf.tensor2d(x, [n, this.inputDim]);
    const ys = tf.tensor2d(yStd, [n, 1]);
    let mseSum = 0;
    try {
      for (let m = 0; m < o.members; m++) {
        const rng = new Rng(seed * 1000 + m + 1);
        const member = this.init(rng);
        this.members.push(member);
        const rows = o.bootstrap
          ? Int32Array.from({ length: n }, () => rng.int(n))
          : Int32Array.from({ length: n }, (_, i) => i);
        const optimizer = tf.train.adam(o.lr);
        const vars = [...member.weights, ...member.biases];
        const batch = Math.min(o.batchSize, n);
        for (let step = 0; step < o.steps; step++) {
          const idx = Int32Array.from({ length: batch }, () => rows[rng.int(n)]!);
          tf.tidy(() => {
            const bi = tf.tensor1d(idx, 'int32');
            const bx = tf.gather(xs, bi);
            const by = tf.gather(ys, bi);
            optimizer.minimize(
              () => tf.losses.meanSquaredError(by, this.forward(member, bx)),
              false,
              vars,
            );
          });
        }
        optimizer.dispose();
        const mse = tf.tidy(() => tf.losses.meanSquaredError(ys, this.forward(member, xs)));
        mseSum += (await mse.data())[0]! * this.yStd * this.yStd;
        mse.dispose();
      }
    } finally {
      tf.dispose([xs, ys]);
    }
    return mseSum / o.members;
  }

  /** Mean and standard deviation over the members, for rows of `x`, in score units. */
  async predict(x: Float32Array, n: number): Promise<Prediction> {
    if (!this.fitted) throw new UserError('the proxy has not been fit');
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    if (n === 0) return { mean, std };
    const out = tf.tidy(() => {
      const xs = tf.tensor2d(x.subarray(0, n * this.inputDim), [n, this.inputDim]);
      return tf.concat(
        this.members.map((m) => this.forward(m, xs)),
        1,
      );
    });
    const values = (await out.data()) as Float32Array;
    out.dispose();
    const k = this.members.length;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += values[i * k + m]!;
      const mu = s / k;
      let v = 0;
      for (let m = 0; m < k; m++) v += (values[i * k + m]! - mu) ** 2;
      mean[i] = this.yMean + this.yStd * mu;
      std[i] = this.yStd * Math.sqrt(v / k);
    }
    return { mean, std };
  }

  dispose(): void {
    this.disposeMembers();
  }

  private disposeMembers(): void {
    for (const m of this.members) tf.dispose([...m.weights, ...m.biases]);
    this.members = [];
  }

  /** Glorot-uniform weights and zero biases, drawn from `rng`. */
  private init(rng: Rng): Member {
    const sizes = [this.inputDim, ...this.options.hidden, 1];
    const weights: tf.Variable[] = [];
    const biases: tf.Variable[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-limit, limit));
      weights.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]))));
      biases.push(tf.tidy(() => tf.variable(tf.zeros([fanOut]))));
    }
    return { weights, biases };
  }

  private forward(member: Member, x: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor2D = x;
    const last = member.weights.length - 1;
    member.weights.forEach((w, l) => {
      h = tf.add(tf.matMul(h, w), member.biases[l]!);
      if (l < last) h = tf.relu(h);
    });
    return h;
  }
}
