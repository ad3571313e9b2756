/**
 * The zoo's training matrix: each env at its default parameters, trained with trajectory
 * balance (batches of 64 trajectories, a 128x128 MLP, the default learning rates, seed 0) for
 * the stated number of iterations, must reach an exact L1 distance to R/Z below the stated
 * bound. The bounds leave about a third of headroom over the L1 measured when they were set
 * (the `measured` column), so that a change that slows learning fails the matrix.
 */
export const TRAIN_MATRIX: { env: string; iterations: number; maxL1: number; measured: number }[] =
  [
    { env: 'ising', iterations: 600, maxL1: 0.2, measured: 0.129 },
    { env: 'bayesnet', iterations: 600, maxL1: 0.55, measured: 0.412 },
    { env: 'bitseq', iterations: 300, maxL1: 0.12, measured: 0.075 },
    { env: 'tfbind', iterations: 300, maxL1: 0.25, measured: 0.167 },
    { env: 'set', iterations: 300, maxL1: 0.1, measured: 0.05 },
    { env: 'knapsack', iterations: 600, maxL1: 0.4, measured: 0.279 },
    { env: 'mis', iterations: 300, maxL1: 0.1, measured: 0.052 },
    { env: 'prepend_append', iterations: 600, maxL1: 0.15, measured: 0.098 },
    { env: 'phylo', iterations: 300, maxL1: 0.25, measured: 0.173 },
  ];
