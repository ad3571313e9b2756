/**
 * The standard configurations of `pnpm bench` and the peers' figures they compare with.
 * Every hypergrid configuration uses an MLP 2x256 (LeakyReLU), R0/R1/R2 0.1/0.5/2, Adam lr 1e-3.
 */

export interface SpeedConfig {
  /** Row label, e.g. `tb 2D H8 b16 separate`. */
  label: string;
  loss: 'tb' | 'db' | 'subtb' | 'fm';
  ndim: number;
  height: number;
  batch: number;
  /** Backward policy: uniform, a head on the trunk, or a separate network. */
  backward: 'uniform' | 'learned' | 'separate';
  /** Actor threads sampling ahead of the learner (0: none). */
  workers?: number;
}

export interface PeerFigure {
  peer: string;
  itPerSec: number;
  note: string;
}

export const LOSSES = ['tb', 'db', 'subtb', 'fm'] as const;
export const BACKWARDS = ['uniform', 'learned', 'separate'] as const;
export const GRIDS = [
  { ndim: 2, height: 8 },
  { ndim: 4, height: 8 },
] as const;
export const BATCHES = [16, 128] as const;

export function speedConfigs(): SpeedConfig[] {
  const out: SpeedConfig[] = [];
  for (const loss of LOSSES) {
    for (const { ndim, height } of GRIDS) {
      for (const batch of BATCHES) {
        // Flow matching has no backward policy.
        for (const backward of loss === 'fm' ? (['uniform'] as const) : BACKWARDS) {
          out.push({
            label: `${loss} ${ndim}D H${height} b${batch} ${backward}`,
            loss,
            ndim,
            height,
            batch,
            backward,
          });
        }
      }
    }
  }
  // The second core: one actor thread samples (and scores, and prepares) the next batch.
  for (const { ndim, height } of GRIDS) {
    for (const batch of BATCHES) {
      out.push({
        label: `tb ${ndim}D H${height} b${batch} uniform w1`,
        loss: 'tb',
        ndim,
        height,
        batch,
        backward: 'uniform',
        workers: 1,
      });
    }
  }
  return out;
}

/**
 * Peer figures measured on this project's 2-core machine (2026-11-28), one process at a time,
 * like for like: same objective, network, backward policy, batch and reward. This harness does not
 * run the peers; it prints these next to its own figures.
 */
export const PEERS: Record<string, PeerFigure> = {
  'tb 2D H8 b16 separate': { peer: 'torchgfn', itPerSec: 63, note: 'PyTorch, 1 thread' },
  'tb 4D H8 b16 separate': { peer: 'torchgfn', itPerSec: 39, note: 'PyTorch, 1 thread' },
  'tb 2D H8 b16 learned': { peer: 'gfnx', itPerSec: 507, note: 'JAX/XLA, 1 core' },
  'tb 4D H8 b16 learned': { peer: 'gfnx', itPerSec: 250, note: 'JAX/XLA, 1 core' },
  'tb 2D H8 b128 learned': { peer: 'gfnx', itPerSec: 69, note: 'JAX/XLA, 1 core' },
  'tb 4D H8 b128 learned': { peer: 'gfnx', itPerSec: 28, note: 'JAX/XLA, 1 core' },
  'fm 2D H8 b16 uniform': { peer: '2021 code', itPerSec: 84, note: 'PyTorch' },
  'fm 4D H8 b16 uniform': {
    peer: '2021 code',
    itPerSec: 46,
    note: 'PyTorch; ends 4D episodes early',
  },
};

/** Configurations trained to 32k trajectories for exact L1 (4D H8, batch 16). */
export const L1_CONFIGS: SpeedConfig[] = [
  ...(['uniform', 'learned', 'separate'] as const).map((backward) => ({
    label: `tb 4D H8 b16 ${backward}`,
    loss: 'tb' as const,
    ndim: 4,
    height: 8,
    batch: 16,
    backward,
  })),
  {
    label: 'tb 4D H8 b16 uniform w1',
    loss: 'tb',
    ndim: 4,
    height: 8,
    batch: 16,
    backward: 'uniform',
    workers: 1,
  },
  { label: 'db 4D H8 b16 uniform', loss: 'db', ndim: 4, height: 8, batch: 16, backward: 'uniform' },
  {
    label: 'subtb 4D H8 b16 uniform',
    loss: 'subtb',
    ndim: 4,
    height: 8,
    batch: 16,
    backward: 'uniform',
  },
  { label: 'fm 4D H8 b16 uniform', loss: 'fm', ndim: 4, height: 8, batch: 16, backward: 'uniform' },
];

/** Trajectory counts at which exact L1 is read. */
export const L1_AT = [8_000, 32_000] as const;
