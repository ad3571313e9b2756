import type { SampleTracker } from '@gflownet/core';
import type { RDKit } from './chem/rdkit.js';
import { drawMolecules } from './draw.js';

/**
 * What the molecule envs share: their objects are molecules named by canonical SMILES, which
 * `gfn sample` writes, `gfn report` draws and the sample tracker scores.
 */
export abstract class MoleculeEnvBase {
  protected constructor(
    protected readonly rdkit: RDKit,
    private readonly tracker: (() => SampleTracker) | undefined,
    private readonly caption: (logReward: number) => string = (r) => `log R ${r.toFixed(2)}`,
    private readonly score: (logReward: number) => number = Math.exp,
  ) {}

  /** The molecule's score (e.g. QED) from its log R, for comparisons and gfn optimize. */
  objectScore(logReward: number): number {
    return this.score(logReward);
  }

  /** The canonical SMILES of the molecule of each state. */
  abstract smiles(states: Int32Array, n: number): string[];

  /** Canonical SMILES, for gfn sample. */
  objectText(states: Int32Array, n: number): string[] {
    return this.smiles(states, n);
  }

  /** An SVG grid of the molecules (RDKit depictions) with their captions, for gfn report. */
  renderObjects(states: Int32Array, n: number, logRewards: Float64Array): string {
    return drawMolecules(this.rdkit, this.smiles(states, n), Array.from(logRewards, this.caption));
  }

  createSampleTracker(): SampleTracker | null {
    return this.tracker?.() ?? null;
  }
}
