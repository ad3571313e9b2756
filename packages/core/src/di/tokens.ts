import type { BackendName } from '../backend.js';
import type { DiscreteEnv, EnvFactory as EnvFactoryShape } from '../env/env.js';
import type { Loss, LossOptions } from '../losses/loss.js';
import type { ExplorationOptions, Sampler as SamplerShape } from '../samplers/sampler.js';
import type { Rng } from '../util/rng.js';

/**
 * Service tokens. Each token shares its name with the interface it stands for, so plugin modules
 * read `bind(LossPlugin).toConstantValue({...})`.
 */

/** Describes one plugin for `--help` style listings. */
export interface PluginInfo {
  readonly name: string;
  readonly description: string;
}

/** Env factories; many may be bound (one per env a module provides). */
export const EnvFactory = Symbol.for('@gflownet/core/EnvFactory');
export type EnvFactory = EnvFactoryShape;

export const LossPlugin = Symbol.for('@gflownet/core/LossPlugin');
export interface LossPlugin extends PluginInfo {
  create(options: LossOptions): Loss;
}

export const SamplerPlugin = Symbol.for('@gflownet/core/SamplerPlugin');
export interface SamplerPlugin extends PluginInfo {
  create(context: { env: DiscreteEnv; rng: Rng; exploration: ExplorationOptions }): SamplerShape;
}

/** The run's plain configuration object. */
export const RunConfig = Symbol.for('@gflownet/core/RunConfig');
export interface RunConfig {
  env: string;
  envParams: Record<string, string | number>;
  loss: string;
  sampler: string;
  backward: 'uniform' | 'learned';
  iterations: number;
  batchSize: number;
  lr: number;
  lrLogZ: number;
  hidden: number[];
  epsilon: number;
  temperature: number;
  seed: number;
  backend?: BackendName;
  evalEvery: number;
  evalSamples: number;
}

/** The env parameters of the config, checked and completed with defaults. */
export const ResolvedEnvParams = Symbol.for('@gflownet/core/ResolvedEnvParams');
export type ResolvedEnvParams = Record<string, number>;

/** The env built from the config. */
export const Env = Symbol.for('@gflownet/core/Env');
export type Env = DiscreteEnv;

export const Objective = Symbol.for('@gflownet/core/Objective');
export type Objective = Loss;

export const Sampler = Symbol.for('@gflownet/core/Sampler');
export type Sampler = SamplerShape;
