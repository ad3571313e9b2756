import * as tf from '@tensorflow/tfjs';
import type { DiscreteEnv, EnvParams, SampleTracker } from '../env/env.js';
import { checkedLogReward } from '../env/state-utils.js';
import { NonFiniteError, UserError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import {
  type ExactMetrics,
  empiricalL1,
  exactMetrics,
  sampleTerminalStates,
} from '../metrics/evaluate.js';
import { modelTerminatingDistribution, targetDistribution } from '../metrics/exact.js';
import { ModeTracker } from '../metrics/modes.js';
import type { StateGraph } from '../metrics/state-graph.js';
import type { BackwardPolicy } from '../policies/backward.js';
import type { PolicyModel } from '../policies/model.js';
import type { ReplayBuffer } from '../replay/buffers.js';
import type { Sampler } from '../samplers/sampler.js';
import {
  type Trajectories,
  concatTrajectories,
  selectTrajectories,
} from '../samplers/trajectories.js';
import type { RunConfig } from './config.js';
import { Rng } from '../util/rng.js';
import type { ActorBatch, Actors } from '../actors/pool.js';
import type { OracleClient } from '../oracles/client.js';
import { type OracleReward, OracleScorer } from '../oracles/rewards.js';
import { ActorPipeline } from './actor-pipeline.js';
import { Adam, type SerializedOptimizer } from './adam.js';
import { type Checkpoint, writeCheckpoint } from './checkpoint.js';
import type { Reporter, StepRecord } from './reporter.js';
import {
  RUN_FILES,
  type RunInput,
  type SavedRunConfig,
  writeJsonAtomic,
  writeRunDir,
} from './run-dir.js';

export interface TrainOptions {
  /** Iterations to run now (default: the config's). */
  iterations?: number;
  reporters?: readonly Reporter[];
  /** Stops after the iteration under way when aborted. */
  signal?: AbortSignal;
  /** Writes a checkpoint to `dir` every `every` iterations, or `seconds` of training. */
  checkpoint?: CheckpointOptions;
}

export interface CheckpointOptions {
  /** Read at each checkpoint, so a caller may move the run (see afterSave). */
  dir: string;
  every?: number;
  seconds?: number;
  /** What the caller saves with each checkpoint (e.g. the metrics log's length). */
  extra?: () => Record<string, unknown>;
  /** Called after each checkpoint is written. */
  afterSave?: () => void;
}

export interface TrainResult {
  /** Iterations of the run so far. */
  iterations: number;
  /** Fresh trajectories sampled so far (replayed ones are not counted). */
  trajectories: number;
  /** Training time in seconds, evaluations excluded. */
  seconds: number;
  finalLoss: number;
  modesFound: number | null;
  modesTotal: number | null;
  exact: ExactMetrics | null;
  /** The env's sample tracker's last report, when it has one. */
  samples: Record<string, number> | null;
  /** True when the signal stopped training early. */
  aborted: boolean;
  /** Iterations whose update was dropped for a non-finite value (`onNan: 'skip'`). */
  skipped: number;
}

export interface EvaluateOptions {
  /** Fresh samples from the trained policy (no exploration); 0 for exact metrics only. */
  samples?: number;
  seed?: number;
  /** Also compute the env's sample metrics of the fresh samples (top-k, modes, diversity). */
  sampleMetrics?: boolean;
  /** Keep the fresh samples and their log-rewards in the result. */
  keepSamples?: boolean;
  /** Keep the exact learned and target distributions over the state graph's states. */
  keepDistributions?: boolean;
}

/** The one evaluation of a run that `gfn train`, `gfn eval` and `gfn report` use. */
export interface Evaluation {
  /** Exact distances to R/Z (enumerable envs), else null. */
  exact: ExactMetrics | null;
  logzEstimate: number;
  samples: number;
  /** sum_x |p_hat(x) - R(x)/Z| over the fresh samples (enumerable envs with samples). */
  l1Sampled: number | null;
  /** Distinct modes among the fresh samples, when the env declares modes. */
  modesInSamples: number | null;
  modesTotal: number | null;
  sampleMetrics: Record<string, number> | null;
  terminal?: { states: Int32Array; logRewards: Float64Array };
  distributions?: { learned: Float64Array; target: Float64Array };
}

/** The parts a run is made of; `createRun` builds them from a config. */
export interface RunParts {
  config: RunConfig;
  env: DiscreteEnv;
  envParams: EnvParams;
  loss: Loss;
  backward: BackwardPolicy;
  sampler: Sampler;
  replay: ReplayBuffer | null;
  model: PolicyModel;
  /** The enumerated state graph, when the env is enumerable. */
  graph: StateGraph | null;
  /** Where the modules the run needs came from (saved with the run). */
  modules: string[];
  /** The run's random streams by name, saved in checkpoints. */
  streams?: Record<string, Rng>;
  /** Input files the run keeps copies of (saved with it). */
  inputs?: Record<string, RunInput>;
  /** Actor threads that sample fresh trajectories (config.workers > 0). */
  actors?: Actors | null;
}

/**
 * A training run: it owns the env, the model, the objective, the sampler, the replay buffer, the
 * Adam optimizer (PyTorch's constants; the network and log Z with learning rates of their own),
 * the actor threads when it has workers, the random streams (inside the
 * sampler and buffer) and the state graph. `step()` samples a batch without gradients, prepares
 * it, computes the loss and its gradients in one pass and takes an optimizer step; `train()`
 * repeats it with evaluations and reporters; `evaluate()` measures the policy; `save()` writes a
 * run directory that `loadRun` opens again.
 */
export class Run {
  readonly config: RunConfig;
  readonly env: DiscreteEnv;
  readonly envParams: EnvParams;
  readonly loss: Loss;
  readonly backward: BackwardPolicy;
  readonly sampler: Sampler;
  readonly replay: ReplayBuffer | null;
  readonly model: PolicyModel;
  readonly graph: StateGraph | null;
  readonly modules: string[];
  /** Input files kept with the run (set by whoever copies them into the run directory). */
  inputs: Record<string, RunInput>;
  readonly modes: ModeTracker;
  readonly tracker: SampleTracker | null;
  private readonly streams: Record<string, Rng>;
  /** Actor threads sampling the next batches while this iteration trains (none: the sampler). */
  private readonly actors: ActorPipeline | null;
  private readonly optimizer: Adam;
  private iterationCount = 0;
  private trajectoryCount = 0;
  private transitionCount = 0;
  private trainSeconds = 0;
  private skippedCount = 0;
  private scorer: OracleScorer | null = null;
  private rewardFn: ((states: Int32Array, n: number) => Promise<Float64Array>) | null = null;

  constructor(parts: RunParts) {
    this.config = parts.config;
    this.env = parts.env;
    this.envParams = parts.envParams;
    this.loss = parts.loss;
    this.backward = parts.backward;
    this.sampler = parts.sampler;
    this.replay = parts.replay;
    this.model = parts.model;
    this.graph = parts.graph;
    this.modules = parts.modules;
    this.streams = parts.streams ?? {};
    this.actors = parts.actors ? new ActorPipeline(parts.actors, this.config.syncEvery) : null;
    this.inputs = parts.inputs ?? {};
    // PyTorch's Adam constants (tfjs defaults epsilon to 1e-7), so runs compare with torchgfn's.
    const net = this.model.netVariables;
    this.optimizer = new Adam(
      [
        { variables: net, lr: this.config.lr, names: net.map((_, i) => `network parameter ${i}`) },
        { variables: [this.model.logZ], lr: this.config.lrLogZ, names: ['log Z'] },
      ],
      0.9,
      0.999,
      1e-8,
    );
    this.modes = new ModeTracker(this.env);
    this.tracker = this.env.createSampleTracker?.() ?? null;
  }

  get iteration(): number {
    return this.iterationCount;
  }

  /**
   * Called with the terminating objects of each iteration's fresh trajectories and their
   * log-rewards (what comparisons with other methods count as visited).
   */
  onFreshObjects?: (objects: Int32Array, count: number, logRewards: Float64Array) => void;

  /** Fresh trajectories sampled so far. */
  get trajectories(): number {
    return this.trajectoryCount;
  }

  /** Transitions (env steps, exits included) of the fresh trajectories so far. */
  get transitions(): number {
    return this.transitionCount;
  }

  /** Training time so far in seconds, evaluations excluded. */
  get seconds(): number {
    return this.trainSeconds;
  }

  /**
   * The iteration's batch: fresh trajectories from the sampler and, once the replay buffer holds
   * any, `replayShare` of the batch from it. Only fresh trajectories count as sampled (modes,
   * trajectory counts) and go into the buffer.
   */
  private async batch(): Promise<{ batch: Trajectories; prepared: unknown }> {
    const replay = this.replay;
    let { batch: fresh, prepared, summary } = await this.freshBatch(this.freshCount());
    // A reward function or an oracle rescores the batch (the actors' preparation and summary
    // used the env's reward).
    const rescored = this.rewardFn
      ? selectTrajectories(
          fresh,
          Array.from({ length: fresh.count }, (_, i) => i),
          await this.rewardFn(fresh.terminalStates(), fresh.count),
        )
      : await this.scorer?.rescore(fresh);
    if (rescored) {
      fresh = rescored;
      prepared = null;
      summary = undefined;
    }
    const replayed = this.config.batchSize - fresh.count;
    this.trajectoryCount += fresh.count;
    this.transitionCount += fresh.numTransitions;
    this.modes.observe(fresh.terminalStates(), fresh.count);
    await this.tracker?.observe(fresh.terminalStates(), fresh.count, fresh.logRewards, summary);
    this.onFreshObjects?.(fresh.terminalStates(), fresh.count, fresh.logRewards);
    if (!replay) return { batch: fresh, prepared };
    const parts = [fresh];
    if (replayed > 0 && replay.size > 0) parts.push(await replay.sample(this.model, replayed));
    replay.add(fresh);
    const batch = concatTrajectories(
      this.env,
      parts.filter((p) => p.count > 0),
    );
    return { batch, prepared: parts.length === 1 ? prepared : null };
  }

  /** Fresh trajectories this iteration: the batch, less the replay share once the buffer has any. */
  private freshCount(): number {
    return this.config.batchSize - (this.replay?.size ? this.replayShareCount() : 0);
  }

  /**
   * `count` fresh trajectories, and their prepared arrays when actors made them: from the
   * sampler, or the oldest batch of the actor pipeline (see ActorPipeline for the policy lag).
   */
  private async freshBatch(count: number): Promise<ActorBatch> {
    if (!this.actors) {
      const batch = await this.sampler.sample(this.model, count, this.iterationCount);
      return { batch, prepared: null };
    }
    return this.actors.next({
      first: count,
      // Once the replay buffer holds anything, every later batch leaves room for replayed ones.
      later: this.config.batchSize - this.replayShareCount(),
      iteration: this.iterationCount,
      model: this.model,
      // Actors prepare the batch unless replayed trajectories join it or its rewards change.
      prepare: this.replay === null && this.scorer === null && this.rewardFn === null,
    });
  }

  /** Replayed trajectories per batch once the buffer has any (0 without a buffer). */
  private replayShareCount(): number {
    return this.replay ? Math.round(this.config.batchSize * this.config.replayShare) : 0;
  }

  /** Restarts a random stream from a seed (actor threads reseed their sampler per task). */
  reseed(stream: string, seed: number): void {
    const rng = this.streams[stream];
    if (!rng) throw new UserError(`the run has no random stream '${stream}'`);
    rng.setState(new Rng(seed).getState());
  }

  /**
   * Scores fresh trajectories with an oracle instead of the env's reward: R(x) is the oracle's
   * score of x (`value`), or its exponential (`log`). A trajectory whose object gets no usable
   * score is left out of the batch; an iteration left with no trajectory makes no update, and
   * three such iterations in a row end the run. Exact metrics still compare with the env's
   * reward. `null` goes back to the env's reward.
   */
  useOracle(client: OracleClient | null, reward: OracleReward = 'value'): void {
    this.scorer = client ? new OracleScorer(client, reward) : null;
  }

  /**
   * Trains on log R(x) = fn(x) instead of the env's reward (a proxy's acquisition function in
   * `gfn optimize`); fn must return finite values. Takes precedence over an oracle; `null` goes
   * back to the env's reward. Exact metrics still compare with the env's reward.
   */
  useLogReward(fn: ((states: Int32Array, n: number) => Promise<Float64Array>) | null): void {
    this.rewardFn = fn;
  }

  /** The oracle that scores fresh trajectories, if any. */
  get oracle(): OracleClient | null {
    return this.scorer?.client ?? null;
  }

  /** Fresh trajectories left out so far because the oracle gave their object no usable score. */
  get oracleDropped(): number {
    return this.scorer?.droppedTotal ?? 0;
  }

  /** Iterations whose update was dropped for a non-finite value. */
  get skipped(): number {
    return this.skippedCount;
  }

  /**
   * One training iteration; returns what reporters see of it. A non-finite reward, loss or
   * gradient throws a NonFiniteError naming the iteration and the term (`onNan: 'stop'`), or
   * drops the update and marks the record `skipped` (`onNan: 'skip'`).
   */
  async step(): Promise<StepRecord> {
    const t0 = performance.now();
    const at = this.iterationCount + 1;
    let loss = NaN;
    let skipped = false;
    try {
      const value = await this.update();
      if (value === null) {
        skipped = true;
        this.skippedCount += 1;
      } else loss = value;
    } catch (err) {
      if (!(err instanceof NonFiniteError)) throw err;
      if (this.config.onNan !== 'skip') {
        throw new NonFiniteError(err.term, `iteration ${at}: ${err.message}`);
      }
      skipped = true;
      this.skippedCount += 1;
    }
    this.iterationCount += 1;
    this.trainSeconds += (performance.now() - t0) / 1000;
    const record: StepRecord = {
      iteration: this.iterationCount,
      trajectories: this.trajectoryCount,
      loss,
      logz: this.loss.estimateLogZ(this.model),
      seconds: this.trainSeconds,
    };
    if (this.modes.enabled) record.modes_found = this.modes.found;
    if (this.actors) record.policy_lag = this.actors.lag;
    if (skipped) record.skipped = 1;
    if (this.scorer) Object.assign(record, this.scorer.record());
    return record;
  }

  /**
   * Samples a batch, computes the loss and its gradients, and applies them when all are finite;
   * null when no trajectory was left to train on (the oracle scored none).
   */
  private async update(): Promise<number | null> {
    const { batch, prepared: made } = await this.batch();
    if (batch.count === 0) return null;
    const prepared = made ?? (await this.loss.prepare(batch));
    const vars = [...this.model.netVariables, ...(this.loss.usesLogZ ? [this.model.logZ] : [])];
    let loss = NaN;
    for (let epoch = 0; epoch < (this.loss.epochs ?? 1); epoch++) {
      const { value, grads } = tf.variableGrads(
        () => this.loss.compute(prepared, this.model) as tf.Scalar,
        vars,
      );
      try {
        loss = value.dataSync()[0]!;
        if (!Number.isFinite(loss)) {
          throw new NonFiniteError('loss', `the ${this.loss.name} loss is ${loss}`);
        }
        // Checks every gradient before changing anything, then updates.
        this.optimizer.apply(grads);
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
    }
    return loss;
  }

  /**
   * Trains for `iterations` more iterations (the config's by default). Every `evalEvery`
   * iterations of the run (counted from its start, so a resumed run evaluates where an
   * uninterrupted one would) and at the end: exact metrics when the env is enumerable, and the
   * env's sample metrics when it tracks its samples. With `checkpoint`, writes a checkpoint as
   * often as asked; with `signal`, stops after the iteration under way once it is aborted.
   */
  async train(options: TrainOptions = {}): Promise<TrainResult> {
    const iterations = options.iterations ?? this.config.iterations;
    const reporters = options.reporters ?? [];
    const { evalEvery } = this.config;
    const cp = options.checkpoint;
    for (const r of reporters) r.onStart?.(iterations, this.iterationCount);
    let finalLoss = NaN;
    let exact: ExactMetrics | null = null;
    let samples: Record<string, number> | null = null;
    let aborted = false;
    let lastCheckpoint = { iteration: this.iterationCount, seconds: this.trainSeconds };
    for (let done = 1; done <= iterations; done++) {
      // A step may never leave the microtask queue; yielding lets signals and I/O in.
      if (options.signal) await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const record = await this.step();
      finalLoss = record.loss;
      for (const r of reporters) r.onStep?.(record);
      const last = done === iterations;
      if ((this.graph || this.tracker) && (this.iterationCount % evalEvery === 0 || last)) {
        if (this.graph) exact = exactMetrics(this.model, this.loss, this.graph);
        if (this.tracker) samples = this.tracker.report();
        const evalRecord = { ...record, ...exact, ...samples };
        for (const r of reporters) await r.onEval?.(evalRecord, samples ?? undefined);
      }
      const due =
        cp &&
        ((cp.every !== undefined && this.iterationCount - lastCheckpoint.iteration >= cp.every) ||
          (cp.seconds !== undefined && this.trainSeconds - lastCheckpoint.seconds >= cp.seconds));
      if (cp && (due || last)) {
        await this.saveCheckpoint(cp.dir, cp.extra?.() ?? {});
        cp.afterSave?.();
        lastCheckpoint = { iteration: this.iterationCount, seconds: this.trainSeconds };
      }
    }
    for (const r of reporters) await r.onEnd?.();
    return {
      iterations: this.iterationCount,
      trajectories: this.trajectoryCount,
      seconds: this.trainSeconds,
      finalLoss,
      modesFound: this.modes.enabled ? this.modes.found : null,
      modesTotal: this.modes.enabled ? this.modes.total : null,
      exact,
      samples,
      aborted,
      skipped: this.skippedCount,
    };
  }

  /** Everything needed to continue this run exactly (see `restore`). */
  async checkpoint(extra: Record<string, unknown> = {}): Promise<Checkpoint> {
    const [net, logZ] = this.optimizer.save() as [SerializedOptimizer, SerializedOptimizer];
    return {
      format: 'gflownet-ts/checkpoint@1',
      iteration: this.iterationCount,
      trajectories: this.trajectoryCount,
      seconds: this.trainSeconds,
      skipped: this.skippedCount,
      model: this.model.toJSON(),
      optimizers: { net, logZ },
      streams: Object.fromEntries(Object.entries(this.streams).map(([k, r]) => [k, r.getState()])),
      replay: this.replay?.saveState?.() ?? null,
      modes: this.modes.saveState(),
      tracker: this.tracker?.saveState?.() ?? null,
      extra,
    };
  }

  /**
   * Writes checkpoint.json and model.json into a run directory, each atomically (a kill at any
   * moment leaves the previous checkpoint loadable).
   */
  async saveCheckpoint(dir: string, extra: Record<string, unknown> = {}): Promise<void> {
    const cp = await this.checkpoint(extra);
    writeCheckpoint(dir, cp);
    writeJsonAtomic(`${dir}/${RUN_FILES.model}`, cp.model);
  }

  /**
   * Continues from a checkpoint of this run: counters, optimizers, random streams, replay buffer
   * and trackers. The weights come with the run (`createRun(..., { model: checkpoint.model })`).
   */
  async restore(cp: Checkpoint): Promise<void> {
    // Batches asked of actors before the restore were sampled with other weights.
    this.actors?.reset();
    this.iterationCount = cp.iteration;
    this.trajectoryCount = cp.trajectories;
    this.trainSeconds = cp.seconds;
    this.skippedCount = cp.skipped ?? 0;
    this.optimizer.restore([cp.optimizers.net, cp.optimizers.logZ]);
    for (const [name, state] of Object.entries(cp.streams)) {
      const stream = this.streams[name];
      if (!stream)
        throw new UserError(`the checkpoint has a random stream '${name}' this run lacks`);
      stream.setState(state);
    }
    if (cp.replay !== null && this.replay?.loadState) this.replay.loadState(cp.replay);
    this.modes.loadState(cp.modes);
    if (cp.tracker !== null && this.tracker?.loadState) this.tracker.loadState(cp.tracker);
  }

  /**
   * Measures the trained policy: exact distances to R/Z by dynamic programming when the env is
   * enumerable, and figures of `samples` fresh samples (sampled L1, modes, the env's sample
   * metrics).
   */
  async evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const count = options.samples ?? 0;
    const graph = this.graph;
    const result: Evaluation = {
      exact: graph ? exactMetrics(this.model, this.loss, graph) : null,
      logzEstimate: this.loss.estimateLogZ(this.model),
      samples: count,
      l1Sampled: null,
      modesInSamples: null,
      modesTotal: this.modes.enabled ? this.modes.total : null,
      sampleMetrics: null,
    };
    if (graph && options.keepDistributions) {
      result.distributions = {
        learned: modelTerminatingDistribution(this.model, graph),
        target: targetDistribution(graph),
      };
    }
    if (count === 0) return result;
    const states = await sampleTerminalStates(this.model, count, options.seed ?? 0);
    if (graph) result.l1Sampled = empiricalL1(graph, states, count);
    if (this.modes.enabled) {
      const modes = new ModeTracker(this.env);
      modes.observe(states, count);
      result.modesInSamples = modes.found;
    }
    const needRewards =
      options.keepSamples || (options.sampleMetrics && this.env.createSampleTracker);
    const logRewards = needRewards ? await checkedLogReward(this.env, states, count) : null;
    if (options.sampleMetrics && logRewards) {
      const tracker = this.env.createSampleTracker?.() ?? null;
      if (tracker) {
        await tracker.observe(states, count, logRewards);
        result.sampleMetrics = tracker.report();
      }
    }
    if (options.keepSamples && logRewards) result.terminal = { states, logRewards };
    return result;
  }

  /** Writes config.json (the config, resolved env parameters and modules) and model.json. */
  save(dir: string): void {
    const saved: SavedRunConfig = {
      ...this.config,
      envParams: this.envParams,
      modules: this.modules,
      inputs: this.inputs,
    };
    writeRunDir(dir, saved, this.model.toJSON());
  }

  /** Stops the actor threads (if any) and frees the model's tensors. */
  async close(): Promise<void> {
    await this.actors?.close();
    this.dispose();
  }

  /** Frees the model's tensors (the optimizer keeps plain arrays) and stops any actor threads. */
  dispose(): void {
    void this.actors?.close();
    this.model.dispose();
  }
}
