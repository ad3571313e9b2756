import type { DiscreteEnv } from '../env/env.js';
import { stateKey } from '../env/state-utils.js';
import { UserError } from '../errors.js';
import { type Trajectories, selectTrajectories } from '../samplers/trajectories.js';
import type { OracleClient } from './client.js';

/** How an oracle's score becomes a reward: R(x) = score (> 0), or log R(x) = score. */
export type OracleReward = 'value' | 'log';

/** What scoring a batch with an oracle did. */
export interface OracleScoring {
  /** The trajectories whose object the oracle scored, with log R from its scores. */
  batch: Trajectories;
  /** Trajectories left out: the oracle gave no usable score for their object. */
  dropped: number;
  /** Why the first left-out object got no reward. */
  reason?: string;
}

/**
 * The text an oracle receives for each terminating object: the env's `objectText` (e.g. a
 * SMILES) when it has one, else the state's integers as a JSON array.
 */
export function oracleObjects(env: DiscreteEnv, states: Int32Array, n: number): string[] {
  if (env.objectText) return env.objectText(states, n);
  const d = env.stateDim;
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify(Array.from(states.subarray(i * d, (i + 1) * d))),
  );
}

/**
 * Replaces a batch's rewards with an oracle's scores of its terminating objects (cache keys: the
 * env's canonical keys). A trajectory whose object got no score after every retry, a non-finite
 * one, or (with `value`) one that is not positive is left out of the batch, never given a reward.
 */
export async function scoreWithOracle(
  batch: Trajectories,
  oracle: OracleClient,
  reward: OracleReward,
): Promise<OracleScoring> {
  const env = batch.env;
  const n = batch.count;
  const terminal = batch.terminalStates();
  const objects = oracleObjects(env, terminal, n);
  const keys = Array.from({ length: n }, (_, i) => stateKey(env, terminal, i));
  const scores = await oracle.scoreDetailed(objects, keys);
  const keep: number[] = [];
  const logRewards: number[] = [];
  let reason: string | undefined;
  scores.forEach(({ score, error }, i) => {
    let logR = NaN;
    if (score !== null) logR = reward === 'log' ? score : Math.log(score);
    if (Number.isFinite(logR)) {
      keep.push(i);
      logRewards.push(logR);
    } else {
      reason ??=
        score === null
          ? `no score for ${objects[i]}: ${error ?? 'the oracle gave none'}`
          : `the score ${score} of ${objects[i]} is not a positive reward ` +
            '(with --oracle-reward log, a score is log R and may be any finite number)';
    }
  });
  return {
    batch: selectTrajectories(batch, keep, Float64Array.from(logRewards)),
    dropped: n - keep.length,
    ...(reason !== undefined ? { reason } : {}),
  };
}

/** Batches in a row without any trajectory the oracle scored, before a run gives up. */
const MAX_EMPTY_BATCHES = 3;

/**
 * What a run does with an oracle: rescores each fresh batch (see scoreWithOracle), counts the
 * trajectories left out, and ends the run after three batches in a row left with none.
 */
export class OracleScorer {
  /** Trajectories left out of the last batch, and of all so far. */
  droppedLast = 0;
  droppedTotal = 0;
  private emptyInARow = 0;

  constructor(
    readonly client: OracleClient,
    readonly reward: OracleReward,
  ) {}

  async rescore(batch: Trajectories): Promise<Trajectories> {
    const scored = await scoreWithOracle(batch, this.client, this.reward);
    this.droppedLast = scored.dropped;
    this.droppedTotal += scored.dropped;
    this.emptyInARow = scored.batch.count === 0 ? this.emptyInARow + 1 : 0;
    if (this.emptyInARow >= MAX_EMPTY_BATCHES) {
      throw new UserError(
        `oracle '${this.client.oracle.name}' gave no usable score for any object of ` +
          `${this.emptyInARow} batches in a row; the last: ${scored.reason ?? 'unknown'}`,
      );
    }
    return scored.batch;
  }

  /** The oracle's figures for a step's record. */
  record(): Record<string, number> {
    return {
      ...this.client.stats(),
      oracle_dropped: this.droppedLast,
      oracle_dropped_total: this.droppedTotal,
    };
  }
}
