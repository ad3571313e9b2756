import type { DiscreteEnv } from '../env/env.js';
import type { PolicyModel } from '../policies/model.js';
import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';
import type { Rng } from '../util/rng.js';
import type { BackwardSampler } from './backward.js';
import type { Schedule } from './schedule.js';
import type { Trajectories } from './trajectories.js';

/** Produces training trajectories from the current model. */
export interface Sampler {
  /** `count` complete trajectories; `iteration` drives exploration schedules. */
  sample(model: PolicyModel, count: number, iteration?: number): Promise<Trajectories>;
}

/** A sampler by name (`--sampler NAME[:KEY=VALUE,...]`). */
export interface SamplerPlugin extends PluginInfo {
  create(context: {
    env: DiscreteEnv;
    rng: Rng;
    exploration: ExplorationOptions;
    /** Walks back from terminating states with the run's backward policy. */
    backward: BackwardSampler;
    options: Record<string, number>;
  }): Sampler;
}
export const SamplerPlugin = token<SamplerPlugin>('@gflownet/core/SamplerPlugin');

export interface ExplorationOptions {
  /** Probability of replacing the policy's action by a uniformly random allowed one. */
  epsilon: number | Schedule;
  /** Divides the logits before the softmax; > 1 flattens the policy. */
  temperature: number | Schedule;
}

/** The value of a constant or scheduled exploration setting at an iteration. */
export function valueAt(v: number | Schedule, iteration: number): number {
  return typeof v === 'number' ? v : v.at(iteration);
}
