// A third-party objective for gflownet-ts, loaded with `gfn train --plugin <this module> --loss cb`.
// A plugin module is any ES module whose default export is an Inversify ContainerModule; here it
// binds one more LossPlugin next to the core's.
import { ContainerModule, LossPlugin } from '@gflownet/core';
import { TrajectoryLevelLoss, trajectoryLogRatio } from '@gflownet/core/losses';
import * as tf from '@gflownet/core/tf';

/**
 * Contrastive balance (da Silva et al., 2024, "Embarrassingly Parallel GFlowNets", eq. 6). The
 * batch is split into pairs (tau, tau'); with the trajectory-balance residual of one trajectory
 * written delta(tau) = log P_F(tau) - log P_B(tau | x) - log R(x), the loss of a pair is
 *
 *   L(tau, tau') = g( delta(tau) - delta(tau') )
 *
 * so log Z cancels and nothing but the policies is learned. With an odd batch the last
 * trajectory is left out. Its log Z estimate is the mean of -delta over the latest batch.
 */
export class ContrastiveBalance extends TrajectoryLevelLoss {
  name = 'cb';
  usesLogZ = false;
  lastLogZ = 0;

  compute(x, model) {
    const delta = tf.sub(trajectoryLogRatio(model, x), tf.tensor1d(x.logRewards));
    this.lastLogZ = -tf.mean(delta).dataSync()[0];
    const half = Math.floor(x.b / 2);
    if (half === 0) return tf.scalar(0);
    const first = tf.slice(delta, [0], [half]);
    const second = tf.slice(delta, [half], [half]);
    return tf.mean(this.penalty.apply(tf.sub(first, second)));
  }

  estimateLogZ() {
    return this.lastLogZ;
  }
}

export default new ContainerModule(({ bind }) => {
  bind(LossPlugin).toConstantValue({
    name: 'cb',
    description:
      'contrastive balance (da Silva et al. 2024): pairs of trajectories, no log Z (example plugin)',
    create: (options) => new ContrastiveBalance(options),
  });
});
