export * as tf from '@tensorflow/tfjs';
export { ContainerModule } from 'inversify';
export {
  type BackendInfo,
  type BackendName,
  BACKENDS,
  activeBackend,
  initBackend,
} from './backend.js';
export { GfnInternalError, type InternalErrorKind, UserError, listNames } from './errors.js';
export type {
  DiscreteEnv,
  EnvParams,
  NumberParamSpec,
  ParamSpec,
  Parents,
  SampleTracker,
  TextParamSpec,
} from './env/env.js';
export {
  checkRange,
  describeParam,
  describeRange,
  isTextParam,
  numberParam,
  numericParams,
  parseNumber,
  parseParam,
  resolveEnvParams,
  textParam,
} from './env/params.js';
export {
  backwardActionsOf,
  checkedLogReward,
  formatState,
  forwardActionsOf,
  intermediateLogReward,
  stateDistance,
  stateKey,
} from './env/state-utils.js';
export { Rng } from './util/rng.js';
export type { Estimator, SerializedEstimator, SerializedTensor } from './policies/estimator.js';
export { MlpEstimator, type MlpConfig } from './policies/mlp.js';
export { TabularEstimator } from './policies/tabular.js';
export {
  MASKED,
  PolicyModel,
  type PolicyHeads,
  type PolicyOutputs,
  type SerializedModel,
  policyProbabilities,
  softmaxRow,
} from './policies/model.js';
export {
  type BackwardPolicy,
  EnvBackward,
  LearnedBackward,
  UniformBackward,
  backwardProbabilities,
} from './policies/backward.js';
export {
  type Segment,
  Trajectories,
  assembleTrajectories,
  concatTrajectories,
  segmentOf,
} from './samplers/trajectories.js';
export type { ExplorationOptions, Sampler as SamplerInterface } from './samplers/sampler.js';
export { type Schedule, constantSchedule, parseSchedule } from './samplers/schedule.js';
export { OnPolicySampler } from './samplers/on-policy.js';
export { BackwardSampler } from './samplers/backward.js';
export { LocalSearchSampler } from './samplers/local-search.js';
export {
  DiverseBuffer,
  PrioritizedBuffer,
  type ReplayBuffer,
  TerminalStateBuffer,
  TrajectoryFifoBuffer,
} from './replay/buffers.js';
export { type Loss, type LossOptions, ResidualLoss, headsFor } from './losses/loss.js';
export {
  LinexPenalty,
  type Penalty as PenaltyFunction,
  ShiftedCoshPenalty,
  SquaredPenalty,
} from './losses/penalty.js';
export { gatherRows } from './losses/gather.js';
export {
  type TransitionArrays,
  backwardLogProbs,
  forwardLogProbs,
  prepareTransitions,
  trajectoryIndicator,
  trajectoryLogRatio,
} from './losses/transitions.js';
export { type TrajectoryArrays, TrajectoryLevelLoss } from './losses/trajectory-loss.js';
export { TrajectoryBalance } from './losses/trajectory-balance.js';
export { DetailedBalance } from './losses/detailed-balance.js';
export { FlowMatching } from './losses/flow-matching.js';
export { SubTrajectoryBalance } from './losses/subtrajectory-balance.js';
export { ForwardLookingDetailedBalance } from './losses/forward-looking.js';
export { LogPartitionVariance } from './losses/log-partition-variance.js';
export { ModifiedDetailedBalance } from './losses/modified-detailed-balance.js';
export { type StateGraph, buildStateGraph, logSumExp } from './metrics/state-graph.js';
export {
  type DistributionDistance,
  compareDistributions,
  modelTerminatingDistribution,
  targetDistribution,
  terminatingDistribution,
} from './metrics/exact.js';
export {
  type ExactMetrics,
  empiricalL1,
  exactMetrics,
  sampleTerminalStates,
} from './metrics/evaluate.js';
export { ModeTracker } from './metrics/modes.js';
export { type TrainResult, Trainer, type TrainerOptions } from './trainer/trainer.js';
export type { Reporter, StepRecord } from './trainer/reporter.js';
export { ProgressBar } from './trainer/progress.js';
export { JsonlReporter } from './trainer/jsonl.js';
export {
  Backward,
  BackwardPlugin,
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
  Penalty,
  PenaltyPlugin,
  type PluginInfo,
  Replay,
  ReplayPlugin,
  ResolvedEnvParams,
  RunConfig,
  Sampler,
  SamplerPlugin,
} from './di/tokens.js';
export { choosePlugin, parsePluginChoice, resolvePluginOptions } from './di/plugins.js';
export { coreModule } from './di/module.js';
export {
  RUN_DEFAULTS,
  type Run,
  createContainer,
  createRun,
  listPlugins,
  type PluginListing,
  loadModel,
} from './di/run.js';
export { allHelp, cliReference, main } from './cli/app.js';
export {
  type FlagSpec,
  type FlagValue,
  type ParsedFlags,
  formatHelp,
  parseFlags,
} from './cli/flags.js';
