import { type EnvParams, token } from '@gflownet/core';
import { QedCalculator } from './chem/qed.js';
import { type Mol, type RDKit, descriptors, withMol } from './chem/rdkit.js';
import { LruMap, cachedBatch } from './util/lru.js';

/**
 * A molecule reward: a non-negative score from RDKit, shaped as R = max(floor, score)^beta so that
 * it is positive (floor > 0) and a large beta makes the best molecules dominate.
 */
export interface RewardShape {
  /** Exponent applied to the score. */
  beta: number;
  /** Smallest reward (> 0), also the reward of molecules with a lower score. */
  floor: number;
}

export interface MoleculeScorer {
  readonly name: string;
  /** The raw score of a valid molecule, >= 0 for rewards. */
  score(mol: Mol): number;
  dispose(): void;
}

/** QED in [0, 1]. */
export class QedScorer implements MoleculeScorer {
  readonly name = 'qed';
  private readonly calc: QedCalculator;
  constructor(rdkit: RDKit) {
    this.calc = new QedCalculator(rdkit);
  }
  score(mol: Mol): number {
    return this.calc.qed(mol);
  }
  dispose(): void {
    this.calc.dispose();
  }
}

/**
 * Crippen logP minus a size penalty, clipped at 0: max(0, logP - penalty * max(0, heavy atoms -
 * size)). Without the penalty, logP rewards long alkyl chains; with it, a molecule must earn its
 * atoms beyond `size`.
 */
export class LogPScorer implements MoleculeScorer {
  readonly name = 'logp';
  constructor(
    readonly size = 20,
    readonly penalty = 0.5,
  ) {}
  score(mol: Mol): number {
    const d = descriptors(mol);
    return Math.max(0, d.CrippenClogP - this.penalty * Math.max(0, d.NumHeavyAtoms - this.size));
  }
  dispose(): void {}
}

/** log R = beta * log max(floor, score). */
export function shapedLogReward(score: number, shape: RewardShape): number {
  return shape.beta * Math.log(Math.max(shape.floor, score));
}

/** A reward's scores for a batch of molecules (canonical SMILES); 0 for molecules it rejects. */
export interface BatchScorer {
  readonly name: string;
  score(smiles: readonly string[]): Float64Array | Promise<Float64Array>;
  dispose(): void;
}

/** Scores molecules one by one with a per-molecule scorer (0 when RDKit rejects the SMILES). */
export function batchScorer(rdkit: RDKit, scorer: MoleculeScorer): BatchScorer {
  return {
    name: scorer.name,
    score: (smiles) =>
      Float64Array.from(smiles, (s) => withMol(rdkit, s, (mol) => (mol ? scorer.score(mol) : 0))),
    dispose: () => scorer.dispose(),
  };
}

/**
 * A molecule reward plugin: `--reward NAME` picks one; other modules may bind more. `create` gets
 * the env parameters (e.g. `proxy`, the model directory of the proxy reward).
 */
export const MoleculeReward = token<MoleculeReward>('@gflownet/env-molecule/MoleculeReward');
export interface MoleculeReward {
  readonly name: string;
  readonly description: string;
  create(rdkit: RDKit, params: EnvParams): BatchScorer;
}

export const qedReward: MoleculeReward = {
  name: 'qed',
  description: 'QED drug-likeness in [0, 1] (Bickerton et al. 2012)',
  create: (rdkit) => batchScorer(rdkit, new QedScorer(rdkit)),
};

export const logpReward: MoleculeReward = {
  name: 'logp',
  description: 'Crippen logP minus 0.5 per heavy atom beyond 20, at least 0',
  create: (rdkit) => batchScorer(rdkit, new LogPScorer()),
};

/**
 * Remembers the scores of the molecules it has seen (bounded), so that rewards, metrics and
 * repeated samples pay for each molecule once.
 */
export class ScoreCache {
  private readonly known: LruMap<string, number>;
  constructor(
    readonly scorer: BatchScorer,
    capacity = 20000,
  ) {
    this.known = new LruMap(capacity);
  }

  scores(smiles: readonly string[]): Promise<Float64Array> {
    return cachedBatch(this.known, smiles, (missing) => this.scorer.score(missing));
  }

  /** log R of each molecule: the shaped score. */
  async logRewards(smiles: readonly string[], shape: RewardShape): Promise<Float64Array> {
    const scores = await this.scores(smiles);
    return scores.map((s) => shapedLogReward(s, shape));
  }
}
