// A third-party residual penalty for gflownet-ts, written in TypeScript and loaded as it is:
//   gfn train --plugin <this folder>/index.ts --penalty huber:delta=0.5
// It needs no build step and no node_modules of its own: gfn resolves @gflownet/* to its copies.
import { ContainerModule, type Penalty, PenaltyPlugin } from '@gflownet/core';
import * as tf from '@gflownet/core/tf';

/**
 * The Huber loss of a balance residual t: t^2 / 2 for |t| <= delta, delta (|t| - delta / 2)
 * beyond, so that rare large residuals (early in training, or from a noisy reward) pull on the
 * network linearly instead of quadratically. g(0) = 0, g >= 0 and g'(0) = 0, like the built-in
 * penalties.
 */
export class HuberPenalty implements Penalty {
  readonly name = 'huber';

  constructor(readonly delta: number) {}

  apply(t: tf.Tensor): tf.Tensor {
    const abs = tf.abs(t);
    const quadratic = tf.minimum(abs, this.delta);
    const linear = tf.sub(abs, quadratic);
    return tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(linear, this.delta));
  }
}

export default new ContainerModule(({ bind }) => {
  bind(PenaltyPlugin).toConstantValue({
    name: 'huber',
    description: 'Huber: t^2/2 up to |t| = delta, linear beyond (example TypeScript plugin)',
    options: [
      {
        name: 'delta',
        type: 'float',
        default: 1,
        min: 1e-6,
        max: 100,
        description: 'where the penalty turns linear',
      },
    ],
    create: (options) => new HuberPenalty(options['delta']!),
  });
});
