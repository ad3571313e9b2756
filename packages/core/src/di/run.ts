import { Container, type ContainerModule } from 'inversify';
import type { DiscreteEnv } from '../env/env.js';
import { GfnInternalError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import { MlpEstimator } from '../policies/mlp.js';
import { PolicyModel, type SerializedModel } from '../policies/model.js';
import type { Sampler as SamplerShape } from '../samplers/sampler.js';
import { Rng } from '../util/rng.js';
import { coreModule } from './module.js';
import type { EnvParams, ParamSpec } from '../env/env.js';
import type { BackwardPolicy } from '../policies/backward.js';
import type { ReplayBuffer } from '../replay/buffers.js';
import {
  Backward,
  BackwardPlugin,
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
  PenaltyPlugin,
  type PluginInfo,
  Replay,
  ReplayPlugin,
  ResolvedEnvParams,
  RunConfig,
  Sampler,
  SamplerPlugin,
} from './tokens.js';

/** Defaults of every RunConfig field except the env. */
export const RUN_DEFAULTS: Omit<RunConfig, 'env' | 'envParams'> = {
  loss: 'tb',
  sampler: 'on-policy',
  backward: 'uniform',
  penalty: 'squared',
  replay: 'none',
  replayShare: 0.5,
  iterations: 1000,
  batchSize: 16,
  lr: 1e-3,
  lrLogZ: 0.1,
  hidden: [256, 256],
  epsilon: 0,
  temperature: 1,
  seed: 0,
  evalEvery: 50,
  evalSamples: 100_000,
};

/** The resolved parts of a run. */
export interface Run {
  config: RunConfig;
  container: Container;
  env: DiscreteEnv;
  envParams: EnvParams;
  loss: Loss;
  backward: BackwardPolicy;
  sampler: SamplerShape;
  replay: ReplayBuffer | null;
  model: PolicyModel;
}

/** A container with the core module and the given env / plugin modules loaded. */
export function createContainer(modules: readonly ContainerModule[]): Container {
  const container = new Container();
  container.loadSync(coreModule, ...modules);
  return container;
}

/**
 * Builds a run from a plain config: the env, loss and sampler are chosen by name among what the
 * loaded modules registered; the policy model is sized from the env and the loss's heads, and
 * either initialised from the seed or loaded from a saved model.
 */
export function createRun(
  config: RunConfig,
  modules: readonly ContainerModule[],
  saved?: SerializedModel,
): Run {
  const container = createContainer(modules);
  container.bind<RunConfig>(RunConfig).toConstantValue(config);
  const env = container.get<Env>(Env);
  const loss = container.get<Objective>(Objective);
  const backward = container.get<Backward>(Backward);
  const sampler = container.get<Sampler>(Sampler);
  const replay = container.get<Replay>(Replay);
  const model = saved ? loadModel(env, saved) : newModel(env, loss, config);
  const envParams = container.get<ResolvedEnvParams>(ResolvedEnvParams);
  return { config, container, env, envParams, loss, backward, sampler, replay, model };
}

function newModel(env: DiscreteEnv, loss: Loss, config: RunConfig): PolicyModel {
  const estimator = new MlpEstimator(
    env,
    { hidden: config.hidden, outDim: PolicyModel.outputWidth(env, loss.heads) },
    new Rng(config.seed * 2),
  );
  const backward = loss.heads.separateBackward
    ? new MlpEstimator(
        env,
        { hidden: config.hidden, outDim: env.numBackwardActions },
        new Rng(config.seed * 2 + 3_000_017),
      )
    : undefined;
  return new PolicyModel(env, estimator, loss.heads, 0, backward);
}

export function loadModel(env: DiscreteEnv, saved: SerializedModel): PolicyModel {
  if (saved.format !== 'gflownet-ts/model@1' || saved.estimator.type !== 'mlp') {
    throw new GfnInternalError('checkpoint', `unsupported model format '${saved.format}'`);
  }
  const backward = saved.backwardEstimator
    ? MlpEstimator.fromJSON(env, saved.backwardEstimator)
    : undefined;
  return new PolicyModel(
    env,
    MlpEstimator.fromJSON(env, saved.estimator),
    saved.heads,
    saved.logZ,
    backward,
  );
}

export interface PluginListing {
  name: string;
  description: string;
  options: readonly ParamSpec[];
}

/** Name, description and options of every registered plugin, by kind. */
export function listPlugins(container: Container): Record<string, PluginListing[]> {
  const strip = (xs: PluginInfo[]) =>
    xs.map(({ name, description, options }) => ({ name, description, options: options ?? [] }));
  return {
    env: container.getAll<EnvFactory>(EnvFactory).map((f) => ({
      name: f.name,
      description: f.description,
      options: f.params,
    })),
    loss: strip(container.getAll<LossPlugin>(LossPlugin)),
    backward: strip(container.getAll<BackwardPlugin>(BackwardPlugin)),
    penalty: strip(container.getAll<PenaltyPlugin>(PenaltyPlugin)),
    sampler: strip(container.getAll<SamplerPlugin>(SamplerPlugin)),
    replay: strip(container.getAll<ReplayPlugin>(ReplayPlugin)),
  };
}
