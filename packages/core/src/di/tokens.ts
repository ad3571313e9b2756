import type { BackendName } from '../backend.js';
import type {
  DiscreteEnv,
  EnvFactory as EnvFactoryShape,
  EnvParams,
  NumberParamSpec,
} from '../env/env.js';
import type { Loss, LossOptions } from '../losses/loss.js';
import type { Penalty as PenaltyShape } from '../losses/penalty.js';
import type { BackwardPolicy } from '../policies/backward.js';
import type { ReplayBuffer } from '../replay/buffers.js';
import type { BackwardSampler } from '../samplers/backward.js';
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
  /** Numeric options, given as `NAME:KEY=VALUE,...` (e.g. `subtb:lambda=0.95`). */
  readonly options?: readonly NumberParamSpec[];
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
  create(context: {
    env: DiscreteEnv;
    rng: Rng;
    exploration: ExplorationOptions;
    /** Walks back from terminating states with the run's backward policy. */
    backward: BackwardSampler;
    options: Record<string, number>;
  }): SamplerShape;
}

export const BackwardPlugin = Symbol.for('@gflownet/core/BackwardPlugin');
export interface BackwardPlugin extends PluginInfo {
  create(context: { env: DiscreteEnv; options: Record<string, number> }): BackwardPolicy;
}

export const PenaltyPlugin = Symbol.for('@gflownet/core/PenaltyPlugin');
export interface PenaltyPlugin extends PluginInfo {
  create(options: Record<string, number>): PenaltyShape;
}

export const ReplayPlugin = Symbol.for('@gflownet/core/ReplayPlugin');
export interface ReplayPlugin extends PluginInfo {
  create(context: {
    env: DiscreteEnv;
    rng: Rng;
    backward: BackwardSampler;
    options: Record<string, number>;
  }): ReplayBuffer;
}

/** The run's plain configuration object. */
export const RunConfig = Symbol.for('@gflownet/core/RunConfig');
export interface RunConfig {
  env: string;
  envParams: Record<string, string | number>;
  /** Plugin choices, each `NAME` or `NAME:KEY=VALUE,...`. */
  loss: string;
  sampler: string;
  backward: string;
  penalty: string;
  /** A replay buffer plugin, or 'none'. */
  replay: string;
  /** Share of each batch taken from the replay buffer (once it holds anything). */
  replayShare: number;
  iterations: number;
  batchSize: number;
  lr: number;
  lrLogZ: number;
  hidden: number[];
  /** A number or a schedule: `linear(START, END, STEPS)`, `exp(START, END, TAU)`. */
  epsilon: number | string;
  temperature: number | string;
  seed: number;
  backend?: BackendName;
  evalEvery: number;
  evalSamples: number;
}

/** The env parameters of the config, checked and completed with defaults. */
export const ResolvedEnvParams = Symbol.for('@gflownet/core/ResolvedEnvParams');
export type ResolvedEnvParams = EnvParams;

/** The env built from the config. */
export const Env = Symbol.for('@gflownet/core/Env');
export type Env = DiscreteEnv;

export const Objective = Symbol.for('@gflownet/core/Objective');
export type Objective = Loss;

export const Sampler = Symbol.for('@gflownet/core/Sampler');
export type Sampler = SamplerShape;

export const Backward = Symbol.for('@gflownet/core/Backward');
export type Backward = BackwardPolicy;

export const Penalty = Symbol.for('@gflownet/core/Penalty');
export type Penalty = PenaltyShape;

/** The run's replay buffer, or null. */
export const Replay = Symbol.for('@gflownet/core/Replay');
export type Replay = ReplayBuffer | null;
