import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from './trajectories.js';

/** Produces training trajectories from the current model. */
export interface Sampler {
  sample(model: PolicyModel, count: number): Promise<Trajectories>;
}

export interface ExplorationOptions {
  /** Probability of replacing the policy's action by a uniformly random allowed one. */
  epsilon: number;
  /** Divides the logits before the softmax; > 1 flattens the policy. */
  temperature: number;
}
