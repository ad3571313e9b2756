/** '@gflownet/core/samplers': trajectory containers, samplers and exploration schedules. */
export {
  type Segment,
  Trajectories,
  assembleTrajectories,
  concatTrajectories,
  segmentOf,
} from './trajectories.js';
export { type ExplorationOptions, type Sampler, SamplerPlugin } from './sampler.js';
export { type Schedule, constantSchedule, parseSchedule } from './schedule.js';
export { OnPolicySampler } from './on-policy.js';
export { BackwardSampler } from './backward.js';
export { LocalSearchSampler } from './local-search.js';
