import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformRollout } from '../baselines/walks.js';
import type { DiscreteEnv } from '../env/env.js';
import { checkedLogReward, stateKey } from '../env/state-utils.js';
import { UserError } from '../errors.js';
import type { OracleClient } from '../oracles/client.js';
import { oracleObjects } from '../oracles/rewards.js';
import type { Checkpoint } from '../run/checkpoint.js';
import { writeFileAtomic } from '../run/run-dir.js';
import { Rng } from '../util/rng.js';
import {
  type AcquisitionName,
  type RewardShape,
  acquisitionLogRewards,
  acquisitionValues,
} from './acquisition.js';
import type { Generator } from './generators.js';
import { GpProxy } from './gp.js';
import {
  type EnsembleOptions,
  EnsembleProxy,
  type Prediction,
  type Proxy,
  type ProxyName,
} from './proxy.js';
import {
  type Calibration,
  calibration,
  countModes,
  maxOf,
  meanPairwiseDistance,
  selectDiverseBatch,
  topKMean,
} from './select.js';

/** What scores the acquired objects: the env's own reward, or an external oracle. */
export interface ObjectOracle {
  readonly name: string;
  /** A score per object, or null with the reason when it got none (never an invented score). */
  score(states: Int32Array, n: number): Promise<{ score: number | null; error?: string }[]>;
}

/** The env's own score as the oracle: its objectScore (QED for molecules), else R(x). */
export function envRewardOracle(env: DiscreteEnv): ObjectOracle {
  return {
    name: `${env.name} ${env.objectScore ? 'score' : 'reward'}`,
    async score(states, n) {
      const logR = await checkedLogReward(env, states, n);
      return Array.from(logR, (v) => ({ score: env.objectScore?.(v) ?? Math.exp(v) }));
    },
  };
}

/** An oracle client (a program, an HTTP endpoint, Redis workers) given the env's object text. */
export function clientOracle(env: DiscreteEnv, client: OracleClient): ObjectOracle {
  return {
    name: client.oracle.name,
    score(states, n) {
      const keys = Array.from({ length: n }, (_, i) => stateKey(env, states, i));
      return client.scoreDetailed(oracleObjects(env, states, n), keys);
    },
  };
}

export interface OptimizeOptions {
  /** Rounds of acquisition after the initial data. */
  rounds: number;
  /** Objects sent to the oracle per round. */
  batch: number;
  /** Candidates the generator proposes per round, from which the batch is chosen. */
  pool: number;
  /** Distinct uniformly random objects scored before the first round (when no data is given). */
  initial: number;
  acquisition: AcquisitionName;
  /** UCB's weight of the proxy's standard deviation. */
  kappa: number;
  reward: RewardShape;
  /** Least distance between two objects of a batch (env.distance, else L1 of the ints). */
  minDistance: number;
  /** k of the top-k figures. */
  topK: number;
  /** Envs without modeOf: a mode is an object scoring at least this (null: no mode count)... */
  modeThreshold: number | null;
  /** ...at least this far from every better mode. */
  modeDistance: number;
  seed: number;
  /** The proxy model (default `ensemble`), and the ensemble's options. */
  proxyModel?: ProxyName;
  proxy: Partial<EnsembleOptions>;
}

/** One object the oracle scored. */
export interface DataPoint {
  round: number;
  state: number[];
  score: number;
  text?: string;
}

/** What one round did and found (round 0: the initial data). */
export interface RoundRecord {
  round: number;
  /** Objects scored so far, and in this round. */
  data: number;
  acquired: number;
  /** Objects chosen this round that the oracle gave no score. */
  oracle_failures: number;
  best_so_far: number;
  /** Mean of the k best scores of all data so far, and of what the rounds acquired (not round 0). */
  top_k_mean: number;
  top_k_mean_acquired: number | null;
  batch_mean: number | null;
  batch_max: number | null;
  modes_found: number | null;
  /** Mean pairwise distance among the k best objects so far. */
  top_k_diversity: number;
  /** The proxy's predictions of this batch against the scores the oracle gave (rounds >= 1). */
  calibration: Calibration | null;
  proxy_train_mse: number | null;
  /** Distinct candidates in the pool that were not data yet. */
  pool_new: number | null;
  seconds: { proxy: number; generator: number; oracle: number; total: number };
}

interface LoopState {
  format: 'gflownet-ts/optimize@1';
  completed: number;
  data: DataPoint[];
  rounds: RoundRecord[];
  generator: Checkpoint | null;
}

export const OPTIMIZE_FILES = {
  state: 'optimize-state.json',
  data: 'data.jsonl',
  rounds: 'rounds.jsonl',
} as const;

/** A loop's saved state, or null when `dir` holds none. */
export function readLoopState(dir: string): LoopState | null {
  const path = join(dir, OPTIMIZE_FILES.state);
  if (!existsSync(path)) return null;
  let parsed: LoopState;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as LoopState;
  } catch (err) {
    throw new UserError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed.format !== 'gflownet-ts/optimize@1') {
    throw new UserError(`${path} is not a gfn optimize state (format ${String(parsed.format)})`);
  }
  return parsed;
}

/** Reads data points (the lines of a data.jsonl: {"state": [...], "score": x}). */
export function readDataFile(path: string, env: DiscreteEnv): DataPoint[] {
  if (!existsSync(path)) throw new UserError(`--data: ${path} does not exist`);
  const out: DataPoint[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let row: { state?: unknown; score?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new UserError(`${path}:${i + 1}: not JSON`);
      }
      const { state, score } = row;
      if (
        !Array.isArray(state) ||
        state.length !== env.stateDim ||
        !state.every((v) => Number.isInteger(v))
      ) {
        throw new UserError(
          `${path}:${i + 1}: "state" must be ${env.stateDim} integers (a state of ${env.name})`,
        );
      }
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new UserError(`${path}:${i + 1}: "score" must be a finite number`);
      }
      out.push({ round: 0, state: state as number[], score });
    });
  if (out.length === 0) throw new UserError(`--data: ${path} holds no data point`);
  return out;
}

export interface LoopHooks {
  /** Progress of the current phase. */
  progress?: (round: number, phase: string, done: number, total: number) => void;
  /** After each round is saved. */
  onRound?: (record: RoundRecord) => void;
  /** Checked between rounds: stop (the state saved so far resumes). */
  signal?: AbortSignal;
}

/**
 * The multi-round loop of black-box optimization with a generator (Bengio et al. 2021, section
 * 4.3): initial data; then each round fits a proxy (an ensemble or a GP) to all data, lets the
 * generator search with the acquisition function of the proxy as its reward, chooses a diverse
 * batch of new objects from the generator's pool, and adds the oracle's scores. Every round is saved
 * atomically in `dir` (optimize-state.json, with the generator's checkpoint), so a loop killed
 * at any moment resumes from its last complete round.
 */
export class OptimizeLoop {
  private state: LoopState;
  private readonly proxy: Proxy;

  constructor(
    readonly env: DiscreteEnv,
    readonly generator: Generator,
    readonly oracle: ObjectOracle,
    readonly options: OptimizeOptions,
    readonly dir: string,
    resumed: LoopState | null = null,
  ) {
    this.state = resumed ?? {
      format: 'gflownet-ts/optimize@1',
      completed: -1,
      data: [],
      rounds: [],
      generator: null,
    };
    this.proxy =
      options.proxyModel === 'gp'
        ? new GpProxy(env.featureDim)
        : new EnsembleProxy(env.featureDim, { ...options.proxy, seed: options.seed });
    mkdirSync(dir, { recursive: true });
  }

  get rounds(): readonly RoundRecord[] {
    return this.state.rounds;
  }

  get data(): readonly DataPoint[] {
    return this.state.data;
  }

  /** Runs the rounds not done yet; `initialData` replaces the random initial data. */
  async run(hooks: LoopHooks = {}, initialData: DataPoint[] | null = null): Promise<void> {
    if (this.state.completed < 0) await this.initialRound(initialData, hooks);
    for (let r = this.state.completed + 1; r <= this.options.rounds; r++) {
      if (hooks.signal?.aborted) return;
      await this.round(r, hooks);
    }
  }

  dispose(): void {
    this.proxy.dispose();
    this.generator.dispose();
  }

  private async initialRound(given: DataPoint[] | null, hooks: LoopHooks): Promise<void> {
    const t0 = performance.now();
    let failures = 0;
    let oracleSeconds = 0;
    if (given) {
      this.state.data = given;
    } else {
      // Distinct uniform rollouts (a bounded number of tries: a small space may hold fewer).
      const rng = new Rng(this.options.seed * 100_003);
      const d = this.env.stateDim;
      const keys = new Set<string>();
      const rows: Int32Array[] = [];
      for (
        let tries = 0;
        rows.length < this.options.initial && tries < 100 * this.options.initial;
        tries++
      ) {
        const s = uniformRollout(this.env, this.env.initialState, rng).state;
        const key = stateKey(this.env, s);
        if (keys.has(key)) continue;
        keys.add(key);
        rows.push(s);
      }
      const states = new Int32Array(rows.length * d);
      rows.forEach((s, i) => states.set(s, i * d));
      const t1 = performance.now();
      const scored = await this.scoreObjects(states, rows.length, 0);
      oracleSeconds = (performance.now() - t1) / 1000;
      failures = rows.length - scored.length;
      this.state.data = scored;
    }
    if (this.state.data.length === 0) {
      throw new UserError(`the oracle '${this.oracle.name}' scored none of the initial objects`);
    }
    hooks.progress?.(0, 'initial data', 1, 1);
    this.finishRound(0, this.state.data.length, failures, null, null, null, {
      proxy: 0,
      generator: 0,
      oracle: oracleSeconds,
      total: (performance.now() - t0) / 1000,
    });
    await this.save(hooks);
  }

  private async round(r: number, hooks: LoopHooks): Promise<void> {
    const o = this.options;
    const env = this.env;
    const d = env.stateDim;
    const t0 = performance.now();
    const data = this.state.data;
    hooks.progress?.(r, 'proxy', 0, 1);
    const mse = await this.proxy.fit(
      this.features(Int32Array.from(data.flatMap((p) => p.state)), data.length),
      data.map((p) => p.score),
      o.seed * 1000 + r,
    );
    const tProxy = performance.now();
    const scores = data.map((p) => p.score);
    const best = maxOf(scores);
    const range = { min: -maxOf(scores.map((v) => -v)), max: best };
    const known = new Set(data.map((p) => stateKey(env, Int32Array.from(p.state))));
    // Objects already scored cannot be queries: the generator's reward for them is the floor,
    // so that its search goes to new objects.
    const floorLogR = o.reward.beta * Math.log(o.reward.floor);
    const logReward = async (states: Int32Array, n: number) => {
      const logR = acquisitionLogRewards(
        o.acquisition,
        acquisitionValues(o.acquisition, await this.predict(states, n), { kappa: o.kappa, best }),
        range,
        o.reward,
      );
      for (let i = 0; i < n; i++) if (known.has(stateKey(env, states, i))) logR[i] = floorLogR;
      return logR;
    };
    const pool = await this.generator.propose(logReward, o.pool, r, known, (done, total) =>
      hooks.progress?.(r, this.generator.name, done, total),
    );
    const poolCount = pool.length / d;
    const poolPrediction = await this.predict(pool, poolCount);
    const values = acquisitionValues(o.acquisition, poolPrediction, { kappa: o.kappa, best });
    const chosen = selectDiverseBatch(env, pool, values, o.batch, {
      minDistance: o.minDistance,
      exclude: known,
    });
    const batch = new Int32Array(chosen.length * d);
    chosen.forEach((i, k) => batch.set(pool.subarray(i * d, (i + 1) * d), k * d));
    const tGen = performance.now();
    hooks.progress?.(r, 'oracle', 0, chosen.length);
    const scored = await this.scoreObjects(batch, chosen.length, r);
    const tOracle = performance.now();
    // The proxy's predictions of the objects that got a score, against those scores.
    const scoredKeys = new Set(scored.map((p) => stateKey(env, Int32Array.from(p.state))));
    const keep = chosen
      .map((i, k) => ({ k, key: stateKey(env, pool, i) }))
      .filter(({ key }) => scoredKeys.has(key))
      .map(({ k }) => chosen[k]!);
    const predicted: Prediction = {
      mean: Float64Array.from(keep, (i) => poolPrediction.mean[i]!),
      std: Float64Array.from(keep, (i) => poolPrediction.std[i]!),
    };
    const cal = scored.length
      ? calibration(
          predicted,
          scored.map((p) => p.score),
        )
      : null;
    this.state.data = [...data, ...scored];
    this.finishRound(r, scored.length, chosen.length - scored.length, cal, mse, poolCount, {
      proxy: (tProxy - t0) / 1000,
      generator: (tGen - tProxy) / 1000,
      oracle: (tOracle - tGen) / 1000,
      total: (performance.now() - t0) / 1000,
    });
    this.state.generator = await this.generator.save();
    await this.save(hooks);
  }

  /** Scores objects with the oracle; the ones it scored, as data points of `round`. */
  private async scoreObjects(states: Int32Array, n: number, round: number): Promise<DataPoint[]> {
    const d = this.env.stateDim;
    const results = await this.oracle.score(states, n);
    const texts = this.env.objectText?.(states, n);
    const out: DataPoint[] = [];
    results.forEach(({ score }, i) => {
      if (score === null || !Number.isFinite(score)) return;
      out.push({
        round,
        state: Array.from(states.subarray(i * d, (i + 1) * d)),
        score,
        ...(texts ? { text: texts[i]! } : {}),
      });
    });
    return out;
  }

  private finishRound(
    r: number,
    acquired: number,
    failures: number,
    cal: Calibration | null,
    mse: number | null,
    poolNew: number | null,
    seconds: RoundRecord['seconds'],
  ): void {
    const o = this.options;
    const data = this.state.data;
    const scores = data.map((p) => p.score);
    const batchScores = data.filter((p) => p.round === r).map((p) => p.score);
    const acquiredScores = data.filter((p) => p.round > 0).map((p) => p.score);
    const order = data.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    const topStates = order.slice(0, o.topK).map((i) => Int32Array.from(data[i]!.state));
    const record: RoundRecord = {
      round: r,
      data: data.length,
      acquired,
      oracle_failures: failures,
      best_so_far: maxOf(scores),
      top_k_mean: topKMean(scores, o.topK),
      top_k_mean_acquired: acquiredScores.length ? topKMean(acquiredScores, o.topK) : null,
      batch_mean: r > 0 && batchScores.length ? topKMean(batchScores, batchScores.length) : null,
      batch_max: r > 0 && batchScores.length ? maxOf(batchScores) : null,
      modes_found: countModes(
        this.env,
        data.map((p) => Int32Array.from(p.state)),
        scores,
        { threshold: o.modeThreshold, minDistance: o.modeDistance },
      ),
      top_k_diversity: meanPairwiseDistance(this.env, topStates),
      calibration: cal,
      proxy_train_mse: mse,
      pool_new: poolNew,
      seconds,
    };
    this.state.rounds.push(record);
    this.state.completed = r;
  }

  /** The state (the commit point), then the readable data.jsonl and rounds.jsonl. */
  private async save(hooks: LoopHooks): Promise<void> {
    writeFileAtomic(join(this.dir, OPTIMIZE_FILES.state), JSON.stringify(this.state));
    const lines = (rows: readonly unknown[]) => rows.map((x) => `${JSON.stringify(x)}\n`).join('');
    writeFileAtomic(join(this.dir, OPTIMIZE_FILES.data), lines(this.state.data));
    writeFileAtomic(join(this.dir, OPTIMIZE_FILES.rounds), lines(this.state.rounds));
    hooks.onRound?.(this.state.rounds.at(-1)!);
    await Promise.resolve();
  }

  private features(states: Int32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.env.featureDim);
    this.env.featurize(states, n, out);
    return out;
  }

  private predict(states: Int32Array, n: number): Promise<Prediction> {
    return this.proxy.predict(this.features(states, n), n);
  }
}
