import type * as tf from '@tensorflow/tfjs';
import type { DiscreteEnv } from '../env/env.js';
import type { BackwardPolicy } from '../policies/backward.js';
import type { PolicyHeads, PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';
import { type Penalty, SquaredPenalty } from './penalty.js';

/**
 * A GFlowNet objective. `prepare` turns a batch of trajectories into plain arrays outside the
 * gradient tape (masks, one-hots, parents, extra rewards); `compute` is the differentiable part
 * and must only create tensors that `tf.variableGrads` can clean up.
 */
export interface Loss<P = unknown> {
  readonly name: string;
  /** Which heads the policy model needs for this objective. */
  readonly heads: PolicyHeads;
  /** Whether the objective trains the scalar log Z. */
  readonly usesLogZ: boolean;
  /** Updates made on each batch (1 unless the objective says otherwise, as PPO does). */
  readonly epochs?: number;
  prepare(batch: Trajectories): P | Promise<P>;
  compute(prepared: P, model: PolicyModel): tf.Scalar;
  /** The objective's own estimate of log Z (for the log Z error metric). */
  estimateLogZ(model: PolicyModel): number;
}

/** What a loss plugin needs from the run to build its loss. */
export interface LossOptions {
  env: DiscreteEnv;
  /** The backward policy (uniform, env-given or learned). */
  backward: BackwardPolicy;
  /** The regression loss applied to each residual; squared when absent. */
  penalty?: Penalty;
  /** The plugin's own options (e.g. SubTB's lambda), already range-checked. */
  options?: Record<string, number>;
}

/** An objective by name (`--loss NAME[:KEY=VALUE,...]`). */
export interface LossPlugin extends PluginInfo {
  create(options: LossOptions): Loss;
}
export const LossPlugin = token<LossPlugin>('@gflownet/core/LossPlugin');

/** The model heads a backward policy needs, plus a state-flow head when asked. */
export function headsFor(backward: BackwardPolicy, stateFlow: boolean): PolicyHeads {
  const heads: PolicyHeads = { learnedBackward: backward.learned !== null, stateFlow };
  if (backward.learned === 'separate') heads.separateBackward = true;
  return heads;
}

/**
 * The shared part of the objectives that penalize balance residuals and take a backward policy:
 * the backward policy, the residual penalty (squared unless given) and the model heads.
 */
export abstract class ResidualLoss<P> implements Loss<P> {
  abstract readonly name: string;
  abstract readonly usesLogZ: boolean;
  readonly heads: PolicyHeads;
  protected readonly backward: BackwardPolicy;
  protected readonly penalty: Penalty;

  /** `stateFlow`: whether the objective learns a state-flow head. */
  constructor(options: LossOptions, stateFlow: boolean) {
    this.backward = options.backward;
    this.penalty = options.penalty ?? new SquaredPenalty();
    this.heads = headsFor(options.backward, stateFlow);
  }

  abstract prepare(batch: Trajectories): P | Promise<P>;
  abstract compute(prepared: P, model: PolicyModel): tf.Scalar;
  abstract estimateLogZ(model: PolicyModel): number;
}
