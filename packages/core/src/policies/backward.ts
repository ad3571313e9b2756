import * as tf from '@tensorflow/tfjs';
import type { DiscreteEnv } from '../env/env.js';
import { UserError } from '../errors.js';
import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';
import { MASKED, type PolicyModel } from './model.js';

/**
 * A backward policy P_B(s | s'). Fixed policies (uniform, or one the env gives) write their
 * log-probabilities as plain numbers; learned ones come from the policy model's backward head,
 * either sharing the forward network's trunk or from a network of their own.
 */
export interface BackwardPolicy {
  readonly name: string;
  /** 'shared': a head on the forward network; 'separate': its own network; null: fixed. */
  readonly learned: 'shared' | 'separate' | null;
  /**
   * Fixed policies only: log P_B(b | s) of every backward action of n states, -Infinity where the
   * backward mask forbids b.
   */
  fixedLogProbs?(states: Int32Array, n: number, mask: Uint8Array, out: Float32Array): void;
}

/** A backward policy by name (`--backward NAME`). */
export interface BackwardPolicyPlugin extends PluginInfo {
  create(context: { env: DiscreteEnv; options: Record<string, number> }): BackwardPolicy;
}
export const BackwardPolicyPlugin = token<BackwardPolicyPlugin>(
  '@gflownet/core/BackwardPolicyPlugin',
);

/** Uniform over the allowed backward actions (the 2021 paper's and torchgfn's default). */
export class UniformBackward implements BackwardPolicy {
  readonly name = 'uniform';
  readonly learned = null;

  constructor(private readonly env: DiscreteEnv) {}

  fixedLogProbs(_states: Int32Array, n: number, mask: Uint8Array, out: Float32Array): void {
    const ab = this.env.numBackwardActions;
    for (let i = 0; i < n; i++) {
      let allowed = 0;
      for (let k = 0; k < ab; k++) allowed += mask[i * ab + k]!;
      const lp = -Math.log(allowed);
      for (let k = 0; k < ab; k++) out[i * ab + k] = mask[i * ab + k] ? lp : -Infinity;
    }
  }
}

/** The env's own fixed backward policy (`fixedBackwardLogProbs`). */
export class EnvBackward implements BackwardPolicy {
  readonly name = 'env';
  readonly learned = null;

  constructor(private readonly env: DiscreteEnv) {
    if (!env.fixedBackwardLogProbs) {
      throw new UserError(
        `backward policy 'env' needs a fixed backward policy from the env, and env '${env.name}' ` +
          "does not provide fixedBackwardLogProbs(); use '--backward uniform' or '--backward learned'",
      );
    }
  }

  fixedLogProbs(states: Int32Array, n: number, mask: Uint8Array, out: Float32Array): void {
    this.env.fixedBackwardLogProbs!(states, n, out);
    const ab = this.env.numBackwardActions;
    for (let k = 0; k < n * ab; k++) if (!mask[k]) out[k] = -Infinity;
  }
}

/** A learned backward policy: a head on the shared trunk, or a separate network. */
export class LearnedBackward implements BackwardPolicy {
  constructor(
    readonly name: string,
    readonly learned: 'shared' | 'separate',
  ) {}
}

/**
 * P_B(b | s) of every backward action of n states, as plain numbers (for backward sampling);
 * rows of numBackwardActions, 0 where masked.
 */
export function backwardProbabilities(
  model: PolicyModel,
  policy: BackwardPolicy,
  states: Int32Array,
  n: number,
): Float32Array {
  const env = model.env;
  const ab = env.numBackwardActions;
  const mask = new Uint8Array(n * ab);
  env.backwardMask(states, n, mask);
  const out = new Float32Array(n * ab);
  if (policy.learned) {
    const t = tf.tidy(() => {
      const logits = model.outputs(states, n).backLogits;
      if (!logits) throw new UserError(`backward policy '${policy.name}' needs a backward head`);
      const logMask = new Float32Array(n * ab);
      for (let k = 0; k < n * ab; k++) if (!mask[k]) logMask[k] = MASKED;
      return tf.softmax(tf.add(logits, tf.tensor2d(logMask, [n, ab])));
    });
    out.set(t.dataSync() as Float32Array);
    t.dispose();
    for (let k = 0; k < n * ab; k++) if (!mask[k]) out[k] = 0;
    return out;
  }
  policy.fixedLogProbs!(states, n, mask, out);
  for (let k = 0; k < n * ab; k++) out[k] = mask[k] ? Math.exp(out[k]!) : 0;
  return out;
}
