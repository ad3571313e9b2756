/**
 * @gflownet/core: the stable API. An env author needs the env contract and its parameter
 * helpers; a user trains with `createRun` / `Run`; a plugin author contributes under the typed
 * tokens. Building blocks (objectives, policies, samplers, replay buffers, metrics) sit behind
 * subpath exports: '@gflownet/core/losses', '/policies', '/samplers', '/replay', '/metrics',
 * '/env', '/tf', and '/testing' (a test env and the env conformance suite).
 */
export { ContainerModule } from 'inversify';
export {
  type BackendInfo,
  type BackendName,
  BACKENDS,
  activeBackend,
  initBackend,
} from './backend.js';
export {
  EnvContractError,
  GfnInternalError,
  type InternalErrorKind,
  NonFiniteError,
  UserError,
  listNames,
} from './errors.js';

// The env contract.
export {
  type DiscreteEnv,
  EnvFactory,
  type EnvParams,
  type NumberParamSpec,
  type ParamSpec,
  type Parents,
  type SampleTracker,
  type StateFieldValue,
  type TextParamSpec,
} from './env/env.js';
export { numberParam, numericParams, textParam } from './env/params.js';
export { Rng } from './util/rng.js';

// Runs.
export { RUN_CONFIG_FIELDS, RUN_DEFAULTS, type RunConfig, resolveRunConfig } from './run/config.js';
export {
  type CreateRunOptions,
  type OpenRunOptions,
  createRun,
  loadRun,
  resumeRun,
} from './run/create-run.js';
export { type Checkpoint, readCheckpoint } from './run/checkpoint.js';
export type { ModuleLoader } from './actors/protocol.js';
export {
  type EvaluateOptions,
  type Evaluation,
  Run,
  type RunParts,
  type CheckpointOptions,
  type TrainOptions,
  type TrainResult,
} from './run/run.js';
export type { Reporter, StepRecord } from './run/reporter.js';
export { type JsonlOptions, JsonlReporter } from './run/jsonl.js';
export {
  RUN_FILES,
  type RunInput,
  type SavedRunConfig,
  readRunConfig,
  readRunModel,
  writeFileAtomic,
  writeJsonAtomic,
} from './run/run-dir.js';

// Contribution points.
export { type Token, token } from './registry/token.js';
export { type PluginInfo, parsePluginChoice } from './registry/plugin.js';
export { type PluginListing, type PluginModule, PluginRegistry } from './registry/registry.js';
export { coreModule } from './registry/builtins.js';
export {
  CommandContribution,
  type CommandInput,
  type FlagSpec,
  type FlagValue,
} from './registry/command.js';
export { type Loss, type LossOptions, LossPlugin } from './losses/loss.js';
export { type Penalty, PenaltyPlugin } from './losses/penalty.js';
export { type BackwardPolicy, BackwardPolicyPlugin } from './policies/backward.js';
export { type ExplorationOptions, type Sampler, SamplerPlugin } from './samplers/sampler.js';
export { type ReplayBuffer, ReplayBufferPlugin } from './replay/buffers.js';
export type { PolicyModel } from './policies/model.js';
export type { Trajectories } from './samplers/trajectories.js';
