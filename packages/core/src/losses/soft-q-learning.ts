import * as tf from '@tensorflow/tfjs';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import { type TransitionArrays, prepareTransitions } from './transitions.js';

/**
 * Soft Q-learning (Haarnoja et al., 2017; the baseline of Bengio et al., 2021): the forward
 * logits are soft Q-values, the policy is softmax(Q), and for every transition s -> s'
 *
 *   L(s, a) = g( Q(s, a) - V(s') ),   V(s') = log sum_a' exp Q(s', a')   (allowed a')
 *
 * with log R(x) in place of V for the exit. There is no backward policy: on a tree (one parent
 * per state) its fixed point samples x with probability R(x)/Z, like a GFlowNet; on a DAG it
 * over-weights objects with many construction paths, which is what a comparison shows.
 * V(s0) estimates log Z.
 */
export class SoftQLearning extends ResidualLoss<TransitionArrays> {
  readonly name = 'sql';
  readonly usesLogZ = false;

  constructor(options: LossOptions) {
    super(options, false);
  }

  prepare(batch: Trajectories): TransitionArrays {
    return prepareTransitions(batch, this.backward);
  }

  compute(x: TransitionArrays, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    const a = out.logits.shape[1];
    const masked = tf.add(out.logits, tf.tensor2d(x.forwardLogMask, [x.n, a])); // [N, A]
    const q = tf.sum(tf.mul(out.logits, tf.tensor2d(x.actionOneHot, [x.n, a])), 1); // [N]
    const v = tf.logSumExp(masked, 1); // [N]
    const nextV = tf.concat([tf.slice(v, [1], [x.n - 1]), tf.zeros([1])]); // [N]
    const isExit = tf.tensor1d(x.isExit);
    const target = tf.add(
      tf.mul(isExit, tf.tensor1d(x.exitLogReward)),
      tf.mul(tf.sub(1, isExit), nextV),
    ); // [N]
    return tf.mean(this.penalty.apply(tf.sub(q, target)));
  }

  estimateLogZ(model: PolicyModel): number {
    const env = model.env;
    const mask = new Uint8Array(env.numActions);
    env.forwardMask(env.initialState, 1, mask);
    const v = tf.tidy(() => {
      const logits = model.outputs(env.initialState, 1).logits.dataSync();
      let m = -Infinity;
      for (let k = 0; k < mask.length; k++) if (mask[k]) m = Math.max(m, logits[k]!);
      let s = 0;
      for (let k = 0; k < mask.length; k++) if (mask[k]) s += Math.exp(logits[k]! - m);
      return m + Math.log(s);
    });
    return v;
  }
}
