import { Container, type ContainerModule } from 'inversify';
import type { DiscreteEnv } from '../env/env.js';
import { GfnInternalError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import { MlpEstimator } from '../policies/mlp.js';
import { PolicyModel, type SerializedModel } from '../policies/model.js';
import type { Sampler as SamplerShape } from '../samplers/sampler.js';
import { Rng } from '../util/rng.js';
import { coreModule } from './module.js';
import {
  Env,
  EnvFactory,
  LossPlugin,
  Objective,
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
  envParams: Record<string, number>;
  loss: Loss;
  sampler: SamplerShape;
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
  const sampler = container.get<Sampler>(Sampler);
  const model = saved ? loadModel(env, saved) : newModel(env, loss, config);
  const envParams = container.get<ResolvedEnvParams>(ResolvedEnvParams);
  return { config, container, env, envParams, loss, sampler, model };
}

function newModel(env: DiscreteEnv, loss: Loss, config: RunConfig): PolicyModel {
  const estimator = new MlpEstimator(
    env,
    { hidden: config.hidden, outDim: PolicyModel.outputWidth(env, loss.heads) },
    new Rng(config.seed * 2),
  );
  return new PolicyModel(env, estimator, loss.heads);
}

export function loadModel(env: DiscreteEnv, saved: SerializedModel): PolicyModel {
  if (saved.format !== 'gflownet-ts/model@1' || saved.estimator.type !== 'mlp') {
    throw new GfnInternalError('checkpoint', `unsupported model format '${saved.format}'`);
  }
  return new PolicyModel(env, MlpEstimator.fromJSON(env, saved.estimator), saved.heads, saved.logZ);
}

/** Name and description of every registered plugin, by kind. */
export function listPlugins(
  container: Container,
): Record<string, { name: string; description: string }[]> {
  const strip = (xs: { name: string; description: string }[]) =>
    xs.map(({ name, description }) => ({ name, description }));
  return {
    env: strip(container.getAll<EnvFactory>(EnvFactory)),
    loss: strip(container.getAll<LossPlugin>(LossPlugin)),
    sampler: strip(container.getAll<SamplerPlugin>(SamplerPlugin)),
  };
}
