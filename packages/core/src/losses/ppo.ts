import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import { type TransitionArrays, forwardLogProbs, prepareTransitions } from './transitions.js';

export interface PpoArrays extends TransitionArrays {
  /** R(x) of each row's trajectory: the return, since the reward comes at the end. */
  returns: Float32Array; // [N]
  /** log pi_old(a | s) of each row, taken from the policy that sampled the batch. */
  oldLogProb?: Float32Array; // [N]
}

export interface PpoOptions {
  clip: number;
  entropy: number;
  value: number;
  epochs: number;
}

/**
 * PPO (Schulman et al., 2017), the reward-maximizing baseline of Bengio et al. (2021): each
 * batch is used for `epochs` updates of the clipped surrogate
 *
 *   - mean min(r A, clip(r, 1 - clip, 1 + clip) A) + value * mean (V(s) - G)^2 - entropy * mean H(pi(.|s))
 *
 * with r = pi(a|s) / pi_old(a|s), the return G = R(x) of the row's trajectory, the advantage
 * A = G - V(s), and V the model's state-value head. It maximizes the expected reward, so it
 * concentrates on the best objects it finds: the contrast with a GFlowNet's diversity.
 */
export class Ppo extends ResidualLoss<PpoArrays> {
  readonly name: string = 'ppo';
  readonly usesLogZ = false;
  readonly epochs: number;
  private readonly o: PpoOptions;

  constructor(options: LossOptions) {
    super(options, true);
    const opt = options.options ?? {};
    this.o = {
      clip: opt['clip'] ?? 0.2,
      entropy: opt['entropy'] ?? 0.01,
      value: opt['value'] ?? 0.5,
      epochs: opt['epochs'] ?? 4,
    };
    this.epochs = this.o.epochs;
  }

  prepare(batch: Trajectories): PpoArrays {
    const x = prepareTransitions(batch, this.backward);
    const returns = new Float32Array(x.n);
    for (let t = 0; t < batch.count; t++) {
      const r = Math.exp(batch.logRewards[t]!);
      returns.fill(r, batch.starts[t]!, batch.starts[t + 1]!);
    }
    return { ...x, returns };
  }

  compute(x: PpoArrays, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    if (!out.logFlow) throw new GfnInternalError('capability', 'ppo needs the state-value head');
    const logp = forwardLogProbs(out.logits, x); // [N]
    const value = out.logFlow; // [N]
    const returns = tf.tensor1d(x.returns);
    // A constant: read back, so no gradient flows through V into the policy term.
    const advantage = tf.tensor1d(tf.sub(returns, value).dataSync() as Float32Array); // [N]
    const surrogate = this.surrogate(logp, x, advantage);
    const a = out.logits.shape[1];
    const logAll = tf.logSoftmax(tf.add(out.logits, tf.tensor2d(x.forwardLogMask, [x.n, a])));
    const allowed = tf.tensor2d(
      x.forwardLogMask.map((m) => (m === 0 ? 1 : 0)),
      [x.n, a],
    );
    const entropy = tf.neg(tf.sum(tf.mul(allowed, tf.mul(tf.exp(logAll), logAll)), 1)); // [N]
    return tf.addN([
      tf.neg(tf.mean(surrogate)),
      tf.mul(this.o.value, tf.mean(tf.square(tf.sub(value, returns)))),
      tf.mul(-this.o.entropy, tf.mean(entropy)),
    ]) as tf.Scalar;
  }

  /** The policy term to maximize, per row: PPO's clipped ratio times the advantage. */
  protected surrogate(logp: tf.Tensor1D, x: PpoArrays, advantage: tf.Tensor1D): tf.Tensor1D {
    // The first update of a batch runs the policy that sampled it: its log-probs are pi_old.
    x.oldLogProb ??= Float32Array.from(logp.dataSync());
    const ratio = tf.exp(tf.sub(logp, tf.tensor1d(x.oldLogProb))); // [N]
    const clipped = tf.clipByValue(ratio, 1 - this.o.clip, 1 + this.o.clip);
    return tf.minimum(tf.mul(ratio, advantage), tf.mul(clipped, advantage));
  }

  /** PPO has no partition function; NaN keeps it out of the log Z error. */
  estimateLogZ(): number {
    return NaN;
  }
}

/**
 * A2C, the advantage actor-critic (Mnih et al., 2016) in its synchronous form, a second
 * reward-maximizing baseline: one update per batch of
 *
 *   - mean log pi(a|s) A + value * mean (V(s) - G)^2 - entropy * mean H(pi(.|s))
 *
 * with the same Monte-Carlo return G = R(x) (the reward comes at the end of a trajectory, with
 * no discount), advantage A = G - V(s) and value head as PPO, but no ratio and no clipping.
 */
export class A2c extends Ppo {
  override readonly name: string = 'a2c';

  constructor(options: LossOptions) {
    super({ ...options, options: { ...options.options, epochs: 1 } });
  }

  protected override surrogate(
    logp: tf.Tensor1D,
    _x: PpoArrays,
    advantage: tf.Tensor1D,
  ): tf.Tensor1D {
    return tf.mul(logp, advantage);
  }
}
