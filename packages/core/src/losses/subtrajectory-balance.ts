import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { gatherRows } from './gather.js';
import { type LossOptions, ResidualLoss } from './loss.js';
import {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  initialLogFlow,
  prepareTransitions,
} from './transitions.js';

interface Prepared extends TransitionArrays {
  /** Points per trajectory, padded: L_max + 1 columns (states s_0..s_n, then the sink). */
  width: number;
  /** [B * width] index into [log F of N rows, log R of B sinks, 0]. */
  flowIndex: Int32Array;
  /** [B * width] index into [u of N rows, 0]: the step from point k to point k + 1. */
  stepIndex: Int32Array;
  /** Pairs (i, j), i < j, of points of one trajectory, as flat indices into [B * width]. */
  from: Int32Array;
  to: Int32Array;
  /** lambda^(j-i), normalised to sum 1 within a trajectory and divided by B. */
  weight: Float32Array;
}

/**
 * Sub-trajectory balance, SubTB(lambda) (Madan et al., 2023, "Learning GFlowNets from Partial
 * Episodes for Improved Convergence and Stability", eq. 8, geometric weighting within each
 * trajectory). For a trajectory s_0 -> ... -> s_n = x -> s_f, with the sink's flow being R(x),
 * every sub-trajectory s_i -> ... -> s_j (0 <= i < j <= n + 1) has the residual
 *
 *   r(i, j) = log F(s_i) + sum_{t=i}^{j-1} log P_F(s_{t+1}|s_t) - log F(s_j) - sum_{t=i}^{j-2} log P_B(s_t|s_{t+1})
 *
 * (log F(s_{n+1}) = log R(x); the exit step has no P_B), and the loss of a trajectory is
 * sum_{i<j} lambda^{j-i} g(r(i,j)) / sum_{i<j} lambda^{j-i}, averaged over the batch. Length-1
 * pieces are detailed balance; the whole trajectory with F(s_0) = Z is trajectory balance.
 */
export class SubTrajectoryBalance extends ResidualLoss<Prepared> {
  readonly name = 'subtb';
  readonly usesLogZ = false;
  readonly lambda: number;

  constructor(options: LossOptions) {
    super(options, true);
    this.lambda = options.options?.['lambda'] ?? 0.9;
  }

  prepare(batch: Trajectories): Prepared {
    const x = prepareTransitions(batch, this.backward);
    const b = batch.count;
    const n = batch.numTransitions;
    let longest = 0;
    for (let t = 0; t < b; t++)
      longest = Math.max(longest, batch.starts[t + 1]! - batch.starts[t]!);
    const width = longest + 1;
    const flowIndex = new Int32Array(b * width).fill(n + b);
    const stepIndex = new Int32Array(b * width).fill(n);
    const from: number[] = [];
    const to: number[] = [];
    const weight: number[] = [];
    const powers = Float64Array.from({ length: width }, (_, k) => this.lambda ** k);
    for (let t = 0; t < b; t++) {
      const start = batch.starts[t]!;
      const rows = batch.starts[t + 1]! - start; // states s_0..s_n; the last row is the exit
      for (let k = 0; k < rows; k++) {
        flowIndex[t * width + k] = start + k;
        stepIndex[t * width + k] = start + k;
      }
      flowIndex[t * width + rows] = n + t;
      let total = 0;
      for (let i = 0; i <= rows; i++) for (let j = i + 1; j <= rows; j++) total += powers[j - i]!;
      for (let i = 0; i <= rows; i++) {
        for (let j = i + 1; j <= rows; j++) {
          from.push(t * width + i);
          to.push(t * width + j);
          weight.push(powers[j - i]! / total / b);
        }
      }
    }
    return {
      ...x,
      width,
      flowIndex,
      stepIndex,
      from: Int32Array.from(from),
      to: Int32Array.from(to),
      weight: Float32Array.from(weight),
    };
  }

  compute(x: Prepared, model: PolicyModel): tf.Scalar {
    const out = model.outputs(x.states, x.n);
    if (!out.logFlow) throw new GfnInternalError('capability', 'subtb needs the state-flow head');
    const logPF = forwardLogProbs(out.logits, x); // [N]
    const logPB = backwardLogProbs(model, out.backLogits, x); // [N], 0 on exit rows
    const step = tf.concat([tf.sub(logPF, logPB), tf.zeros([1])]); // [N + 1]
    const flows = tf.concat([out.logFlow, tf.tensor1d(x.logRewards), tf.zeros([1])]); // [N + B + 1]
    const shape: [number, number] = [x.b, x.width];
    const cum = tf.cumsum(tf.reshape(gatherRows(step, x.stepIndex), shape), 1, true); // [B, W]
    const point = tf.reshape(tf.sub(tf.reshape(gatherRows(flows, x.flowIndex), shape), cum), [
      x.b * x.width,
    ]); // log F(s_k) - sum_{t<k} u_t
    const residual = tf.sub(gatherRows(point, x.from), gatherRows(point, x.to)); // [P]
    return tf.sum(tf.mul(this.penalty.apply(residual), tf.tensor1d(x.weight)));
  }

  estimateLogZ(model: PolicyModel): number {
    return initialLogFlow(model);
  }
}
