export * as tf from '@tensorflow/tfjs';
export { ContainerModule } from 'inversify';
export {
  type BackendInfo,
  type BackendName,
  BACKENDS,
  activeBackend,
  initBackend,
} from './backend.js';
export { GfnInternalError, type InternalErrorKind, UserError } from './errors.js';
export type { DiscreteEnv, EnvParams, ParamSpec, Parents } from './env/env.js';
export { checkRange, describeRange, parseNumber, resolveEnvParams } from './env/params.js';
export { backwardActionsOf, checkedLogReward, formatState, stateKey } from './env/state-utils.js';
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
export { Trajectories } from './samplers/trajectories.js';
export type { ExplorationOptions } from './samplers/sampler.js';
export { OnPolicySampler } from './samplers/on-policy.js';
export type { Loss, LossOptions } from './losses/loss.js';
export { TrajectoryBalance } from './losses/trajectory-balance.js';
export { DetailedBalance } from './losses/detailed-balance.js';
export { FlowMatching } from './losses/flow-matching.js';
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
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
  type PluginInfo,
  ResolvedEnvParams,
  RunConfig,
  Sampler,
  SamplerPlugin,
} from './di/tokens.js';
export { coreModule } from './di/module.js';
export {
  RUN_DEFAULTS,
  type Run,
  createContainer,
  createRun,
  listPlugins,
  loadModel,
} from './di/run.js';
export { main } from './cli/app.js';
