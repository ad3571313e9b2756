import { QedCalculator } from './chem/qed.js';
import { type Mol, type RDKit, descriptors } from './chem/rdkit.js';

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
