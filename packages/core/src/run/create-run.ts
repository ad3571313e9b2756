import type { ContainerModule } from 'inversify';
import type { DiscreteEnv } from '../env/env.js';
import { resolveEnvParams } from '../env/params.js';
import { GfnInternalError, UserError } from '../errors.js';
import { LossPlugin, type Loss } from '../losses/loss.js';
import { PenaltyPlugin } from '../losses/penalty.js';
import { buildStateGraph } from '../metrics/state-graph.js';
import { BackwardPolicyPlugin } from '../policies/backward.js';
import { MlpEstimator } from '../policies/mlp.js';
import { PolicyModel, type SerializedModel } from '../policies/model.js';
import { type PluginModule, PluginRegistry } from '../registry/registry.js';
import { ReplayBufferPlugin } from '../replay/buffers.js';
import { BackwardSampler } from '../samplers/backward.js';
import { SamplerPlugin } from '../samplers/sampler.js';
import { parseSchedule } from '../samplers/schedule.js';
import { Rng } from '../util/rng.js';
import { ActorPool, type Actors, type ActorsFactory } from '../actors/pool.js';
import { activeBackend } from '../backend.js';
import { type RunConfig, resolveRunConfig } from './config.js';
import { Run } from './run.js';
import { type Checkpoint, readCheckpoint } from './checkpoint.js';
import { type RunInput, readRunConfig, readRunDir, removeTemporaries } from './run-dir.js';

export interface CreateRunOptions {
  /** Start from saved weights and log Z instead of a fresh initialisation. */
  model?: SerializedModel;
  /** Where the modules came from, saved with the run so that it can be opened again. */
  modules?: string[];
  /** Input files the run keeps copies of. */
  inputs?: Record<string, RunInput>;
  /** Enumerate the state graph of an enumerable env for exact metrics (default true). */
  stateGraph?: boolean;
  /**
   * With `workers`: URL of the module that loads `modules` in the actor threads (default: import
   * each and take its default export). The CLI passes one that also knows .gfn specs.
   */
  loader?: string;
  /** With `workers`: what samples for the learner (default: that many local actor threads). */
  actors?: ActorsFactory;
}

/** What may differ from the saved config when a run is opened again. */
export interface OpenRunOptions {
  /** Env parameters to use instead of the saved ones (e.g. paths to the run's input copies). */
  envParams?: Record<string, string | number>;
  /** The module loader of actor threads, for a run resumed with workers (see CreateRunOptions). */
  loader?: string;
  /** What samples for a run resumed with workers (see CreateRunOptions). */
  actors?: ActorsFactory;
}

/**
 * Turns a config into a run, top to bottom: the registry of what the modules contribute; the env
 * from its factory and parameters; the backward policy, residual penalty and objective chosen by
 * name; one random stream per part (apart, so that adding a part never shifts another's draws);
 * the sampler and replay buffer, which share one backward sampler; the policy model sized from
 * the env and the objective's heads; and the state graph when the env is enumerable.
 */
export async function createRun(
  config: Partial<RunConfig> & Pick<RunConfig, 'env'>,
  modules: readonly (ContainerModule | PluginModule)[],
  options: CreateRunOptions = {},
): Promise<Run> {
  const c = resolveRunConfig(config);
  const registry = PluginRegistry.load(modules);

  const envFactory = registry.envFactory(c.env);
  const envParams = resolveEnvParams(envFactory, c.envParams);
  const env = envFactory.create(envParams);

  const backwardChoice = registry.choose(
    BackwardPolicyPlugin,
    c.backward,
    'backward policy',
    '--backward',
  );
  const backward = backwardChoice.plugin.create({ env, options: backwardChoice.options });
  const penaltyChoice = registry.choose(PenaltyPlugin, c.penalty, 'penalty', '--penalty');
  const penalty = penaltyChoice.plugin.create(penaltyChoice.options);
  const lossChoice = registry.choose(LossPlugin, c.loss, 'loss', '--loss');
  const loss = lossChoice.plugin.create({ env, backward, penalty, options: lossChoice.options });

  const streams = {
    sampler: new Rng(c.seed * 2 + 1),
    backward: new Rng(c.seed * 2 + 1_000_003),
    replay: new Rng(c.seed * 2 + 2_000_003),
  };
  const backwardSampler = new BackwardSampler(env, backward, streams.backward);
  const exploration = {
    epsilon: parseSchedule(c.epsilon, '--epsilon', { min: 0, max: 1 }),
    temperature: parseSchedule(c.temperature, '--temperature', { min: 1e-3, max: 1000 }),
  };
  const samplerChoice = registry.choose(SamplerPlugin, c.sampler, 'sampler', '--sampler');
  const sampler = samplerChoice.plugin.create({
    env,
    rng: streams.sampler,
    exploration,
    backward: backwardSampler,
    options: samplerChoice.options,
  });
  let replay = null;
  if (c.replay !== 'none') {
    const replayChoice = registry.choose(ReplayBufferPlugin, c.replay, 'replay buffer', '--replay');
    replay = replayChoice.plugin.create({
      env,
      rng: streams.replay,
      backward: backwardSampler,
      options: replayChoice.options,
    });
  }

  const model = options.model ? loadModel(env, options.model) : newModel(env, loss, c);
  const graph = env.enumerable && options.stateGraph !== false ? await buildStateGraph(env) : null;
  const modulesFrom = options.modules ?? [];
  let actors: Actors | null = null;
  if (c.workers > 0) {
    if (modulesFrom.length === 0) {
      throw new UserError(
        "--workers: actor threads load the run's modules by name or path, and this run was " +
          "given module objects only (pass createRun's options.modules)",
      );
    }
    const backend = activeBackend()?.name;
    const setup = {
      key: `${process.pid}-${Date.now()}-${Math.random()}`,
      config: { ...c, ...(backend ? { backend } : {}) },
      modules: modulesFrom,
      loader: options.loader ?? new URL('../actors/default-loader.js', import.meta.url).href,
    };
    actors = (options.actors ?? ((e, s, n) => new ActorPool(e, s, n)))(env, setup, c.workers);
  }
  return new Run({
    config: c,
    env,
    envParams,
    loss,
    backward,
    sampler,
    replay,
    model,
    graph,
    modules: modulesFrom,
    streams,
    actors,
    ...(options.inputs ? { inputs: options.inputs } : {}),
  });
}

/**
 * Opens a run directory written by `Run.save`: the saved config, with the modules that provide
 * its env and plugins given by the caller (a run directory names them, but opening it never
 * imports them by itself). Fields a run saved by an older version lacks take their defaults.
 */
export async function loadRun(
  dir: string,
  modules: readonly (ContainerModule | PluginModule)[],
  options: OpenRunOptions = {},
): Promise<Run> {
  const { config, model } = readRunDir(dir);
  // An opened run evaluates and samples in this thread: no actor threads.
  const opened = { ...config, workers: 0, envParams: options.envParams ?? config.envParams };
  return createRun(opened, modules, {
    model,
    modules: config.modules,
    ...(config.inputs ? { inputs: config.inputs } : {}),
  });
}

/**
 * Opens a run directory to continue training from its checkpoint: the saved config and the
 * checkpoint's weights, optimizers, random streams, replay buffer, counters and trackers.
 * `iterations` sets a new total.
 */
export async function resumeRun(
  dir: string,
  modules: readonly (ContainerModule | PluginModule)[],
  options: OpenRunOptions & { iterations?: number } = {},
): Promise<{ run: Run; checkpoint: Checkpoint }> {
  const saved = readRunConfig(dir);
  const checkpoint = readCheckpoint(dir);
  removeTemporaries(dir);
  // A new total number of iterations is the one setting a resumed run may change.
  const config = {
    ...saved,
    iterations: options.iterations ?? saved.iterations,
    envParams: options.envParams ?? saved.envParams,
  };
  const run = await createRun(config, modules, {
    model: checkpoint.model,
    modules: config.modules,
    ...(saved.inputs ? { inputs: saved.inputs } : {}),
    ...(options.loader ? { loader: options.loader } : {}),
    ...(options.actors ? { actors: options.actors } : {}),
  });
  await run.restore(checkpoint);
  return { run, checkpoint };
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

/**
 * A saved model on this run's env. Weights saved for another env (or another network shape)
 * are refused with a message, not fed to the network.
 */
function loadModel(env: DiscreteEnv, saved: SerializedModel): PolicyModel {
  if (saved.format !== 'gflownet-ts/model@1' || saved.estimator.type !== 'mlp') {
    throw new UserError(`unsupported model format '${saved.format}'`);
  }
  const want = PolicyModel.outputWidth(env, saved.heads);
  const first = saved.estimator.weights[0];
  const outDim = (saved.estimator.config as { outDim?: number }).outDim;
  if (first?.shape[0] !== env.featureDim || outDim !== want) {
    throw new UserError(
      `the saved model does not fit env '${env.name}' (it takes ${first?.shape[0]} features and ` +
        `gives ${outDim} outputs; the env needs ${env.featureDim} and ${want}): ` +
        'model.json belongs to another run',
    );
  }
  try {
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
  } catch (err) {
    if (!(err instanceof GfnInternalError)) throw err;
    throw new UserError(`the saved model does not fit this run: ${err.message}`);
  }
}
