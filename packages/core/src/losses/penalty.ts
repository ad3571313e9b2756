import * as tf from '@tensorflow/tfjs';
import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';

/**
 * The regression loss g applied to each balance residual t (log forward flow minus log backward
 * flow). Every g here has g(0) = 0, g >= 0 and g'(0) = 0, so a residual of 0 is the minimum; Hu et
 * al. (2025, "Beyond Squared Error: Exploring Loss Design for Enhanced Training of Generative Flow
 * Networks") show that each g corresponds to an f-divergence between forward and backward flows.
 */
export interface Penalty {
  readonly name: string;
  apply(residual: tf.Tensor): tf.Tensor;
}

/** A residual penalty by name (`--penalty NAME[:KEY=VALUE,...]`). */
export interface PenaltyPlugin extends PluginInfo {
  create(options: Record<string, number>): Penalty;
}
export const PenaltyPlugin = token<PenaltyPlugin>('@gflownet/core/PenaltyPlugin');

/** g(t) = t^2: the usual choice, zero-forcing (reverse KL). */
export class SquaredPenalty implements Penalty {
  readonly name = 'squared';
  apply(t: tf.Tensor): tf.Tensor {
    return tf.square(t);
  }
}

/** g(t) = e^t + e^-t - 2 = 2 (cosh t - 1) (Hu et al. 2025): zero-forcing and zero-avoiding alike. */
export class ShiftedCoshPenalty implements Penalty {
  readonly name = 'cosh';
  apply(t: tf.Tensor): tf.Tensor {
    return tf.sub(tf.add(tf.exp(t), tf.exp(tf.neg(t))), 2);
  }
}

/** g(t) = (e^{alpha t} - alpha t - 1) / alpha^2 (Linex, Hu et al. 2025); alpha = 1 is zero-avoiding. */
export class LinexPenalty implements Penalty {
  readonly name = 'linex';
  constructor(readonly alpha: number) {}
  apply(t: tf.Tensor): tf.Tensor {
    const at = tf.mul(t, this.alpha);
    return tf.div(tf.sub(tf.sub(tf.exp(at), at), 1), this.alpha * this.alpha);
  }
}
