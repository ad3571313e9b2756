import type { PolicyModel } from '../policies/model.js';
import type { Schedule } from './schedule.js';
import type { Trajectories } from './trajectories.js';

/** Produces training trajectories from the current model. */
export interface Sampler {
  /** `count` complete trajectories; `iteration` drives exploration schedules. */
  sample(model: PolicyModel, count: number, iteration?: number): Promise<Trajectories>;
}

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
