import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../losses/loss.js';
import { type ExactMetrics, exactMetrics } from '../metrics/evaluate.js';
import { ModeTracker } from '../metrics/modes.js';
import type { SampleTracker } from '../env/env.js';
import type { StateGraph } from '../metrics/state-graph.js';
import type { PolicyModel } from '../policies/model.js';
import type { ReplayBuffer } from '../replay/buffers.js';
import type { Sampler } from '../samplers/sampler.js';
import { type Trajectories, concatTrajectories } from '../samplers/trajectories.js';
import type { Reporter, StepRecord } from './reporter.js';

export interface TrainerOptions {
  iterations: number;
  batchSize: number;
  /** Adam learning rate of the estimator. */
  lr: number;
  /** Adam learning rate of log Z (objectives that learn it). */
  lrLogZ: number;
  /** Exact metrics every this many iterations (and at the end), when a state graph is given. */
  evalEvery: number;
  /** A replay buffer: fresh trajectories go in, and `replayShare` of each batch comes out. */
  replayBuffer?: ReplayBuffer | null;
  replayShare?: number;
}

export interface TrainResult {
  iterations: number;
  trajectories: number;
  /** Training time in seconds, evaluations excluded. */
  seconds: number;
  finalLoss: number;
  modesFound: number | null;
  modesTotal: number | null;
  exact: ExactMetrics | null;
  /** The env's sample tracker's last report, when it has one. */
  samples: Record<string, number> | null;
}

/**
 * The training loop: sample trajectories without gradients, prepare them, compute the loss and
 * its gradients in one batched pass, take an Adam step (separate learning rate for log Z); every
 * `evalEvery` iterations, exact metrics when the space is enumerable; reporters see everything.
 */
export class Trainer {
  readonly modes: ModeTracker;
  readonly tracker: SampleTracker | null;
  private readonly optimizer: tf.Optimizer;
  private readonly logZOptimizer: tf.Optimizer;
  private iteration = 0;
  private trainSeconds = 0;

  constructor(
    readonly model: PolicyModel,
    readonly loss: Loss,
    readonly sampler: Sampler,
    readonly options: TrainerOptions,
    readonly reporters: Reporter[] = [],
    readonly graph: StateGraph | null = null,
  ) {
    // PyTorch's Adam constants (tfjs defaults epsilon to 1e-7), so runs compare with torchgfn's.
    this.optimizer = tf.train.adam(options.lr, 0.9, 0.999, 1e-8);
    this.logZOptimizer = tf.train.adam(options.lrLogZ, 0.9, 0.999, 1e-8);
    this.modes = new ModeTracker(model.env);
    this.tracker = model.env.createSampleTracker?.() ?? null;
  }

  /**
   * The iteration's batch: fresh trajectories from the sampler and, once the replay buffer holds
   * any, `replayShare` of the batch from it. Only fresh trajectories count as sampled (modes,
   * trajectory counts) and go into the buffer.
   */
  private async batch(): Promise<Trajectories> {
    const { batchSize, replayBuffer: replay, replayShare = 0 } = this.options;
    const replayed = replay && replay.size > 0 ? Math.round(batchSize * replayShare) : 0;
    const fresh = await this.sampler.sample(this.model, batchSize - replayed, this.iteration);
    this.modes.observe(fresh.terminalStates(), fresh.count);
    await this.tracker?.observe(fresh.terminalStates(), fresh.count, fresh.logRewards);
    if (!replay) return fresh;
    const parts = [fresh];
    if (replayed > 0) parts.push(await replay.sample(this.model, replayed));
    replay.add(fresh);
    return concatTrajectories(
      this.model.env,
      parts.filter((p) => p.count > 0),
    );
  }

  /** One iteration; returns the loss value. */
  async step(): Promise<number> {
    const batch = await this.batch();
    const prepared = await this.loss.prepare(batch);
    const vars = [...this.model.netVariables, ...(this.loss.usesLogZ ? [this.model.logZ] : [])];
    const { value, grads } = tf.variableGrads(
      () => this.loss.compute(prepared, this.model) as tf.Scalar,
      vars,
    );
    const logZName = this.model.logZ.name;
    const { [logZName]: logZGrad, ...netGrads } = grads;
    this.optimizer.applyGradients(netGrads);
    if (logZGrad) this.logZOptimizer.applyGradients({ [logZName]: logZGrad });
    const lossValue = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    this.iteration += 1;
    return lossValue;
  }

  async train(): Promise<TrainResult> {
    const { iterations, evalEvery } = this.options;
    for (const r of this.reporters) r.onStart?.(iterations);
    let finalLoss = NaN;
    let exact: ExactMetrics | null = null;
    let samples: Record<string, number> | null = null;
    const start = this.iteration;
    while (this.iteration < start + iterations) {
      const t0 = performance.now();
      finalLoss = await this.step();
      this.trainSeconds += (performance.now() - t0) / 1000;
      const record = this.record(finalLoss);
      for (const r of this.reporters) r.onStep?.(record);
      const done = this.iteration - start;
      if ((this.graph || this.tracker) && (done % evalEvery === 0 || done === iterations)) {
        if (this.graph) exact = exactMetrics(this.model, this.loss, this.graph);
        if (this.tracker) samples = this.tracker.report();
        const evalRecord = { ...record, ...exact, ...samples };
        for (const r of this.reporters) await r.onEval?.(evalRecord, samples ?? undefined);
      }
    }
    for (const r of this.reporters) await r.onEnd?.();
    return {
      iterations: this.iteration,
      trajectories: this.modes.trajectories,
      seconds: this.trainSeconds,
      finalLoss,
      modesFound: this.modes.enabled ? this.modes.found : null,
      modesTotal: this.modes.enabled ? this.modes.total : null,
      exact,
      samples,
    };
  }

  private record(loss: number): StepRecord {
    const record: StepRecord = {
      iteration: this.iteration,
      trajectories: this.modes.trajectories,
      loss,
      logz: this.loss.estimateLogZ(this.model),
      seconds: this.trainSeconds,
    };
    if (this.modes.enabled) record.modes_found = this.modes.found;
    return record;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.logZOptimizer.dispose();
  }
}
