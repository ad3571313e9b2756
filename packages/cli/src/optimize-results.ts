import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIMIZE_FILES, type RoundRecord } from '@gflownet/core/optimize';
import type { Figure } from './report.js';
import { type Series, lineChart } from './svg.js';

/** A gfn optimize directory's config: the flags it was started with, and what they resolved to. */
export const CONFIG_FILE = 'optimize.json';

export interface SavedConfig {
  format: 'gflownet-ts/optimize-config@1';
  argv: string[];
  env: string;
  env_params: Record<string, unknown>;
  generators: string[];
  seeds: number;
}

type Curves = Record<string, RoundRecord[][]>;

function readCurves(out: string, generators: readonly string[], seeds: number): Curves {
  const curves: Curves = {};
  for (const g of generators) {
    curves[g] = [];
    for (let s = 0; s < seeds; s++) {
      // rounds.jsonl, not the state: committed results keep only the readable files.
      const path = join(out, `${g}-seed${s}`, OPTIMIZE_FILES.rounds);
      if (!existsSync(path)) continue;
      const rounds = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as RoundRecord);
      curves[g]!.push(rounds);
    }
  }
  return curves;
}

/** Figures of the comparison: per generator, the mean over seeds of a round figure. */
export const OPTIMIZE_CHARTS: [string, string, (r: RoundRecord) => number | null][] = [
  ['top-k.svg', 'top-k mean score of all data', (r) => r.top_k_mean],
  ['best.svg', 'best score so far', (r) => r.best_so_far],
  ['modes.svg', 'modes found', (r) => r.modes_found],
  ['batch.svg', "mean score of the round's queries", (r) => r.batch_mean],
  [
    'calibration.svg',
    "proxy's Spearman correlation on the round's queries",
    (r) => r.calibration?.spearman ?? null,
  ],
];

export function optimizeSeries(curves: Curves, pick: (r: RoundRecord) => number | null): Series[] {
  return Object.entries(curves).map(([name, runs]) => {
    const length = Math.min(...runs.map((r) => r.length));
    const points: [number, number][] = [];
    for (let i = 0; i < length; i++) {
      const ys = runs
        .map((r) => pick(r[i]!))
        .filter((v): v is number => v !== null && Number.isFinite(v));
      if (ys.length) points.push([runs[0]![i]!.round, ys.reduce((a, b) => a + b, 0) / ys.length]);
    }
    return { name, points };
  });
}

/** The comparison's summary per generator and its figures, from the loops saved under `out`. */
export function optimizeComparison(out: string): {
  config: SavedConfig;
  summary: Record<string, Record<string, number | null>>;
  figures: Figure[];
} {
  const config = JSON.parse(readFileSync(join(out, CONFIG_FILE), 'utf8')) as SavedConfig;
  const curves = readCurves(out, config.generators, config.seeds);
  const rounds = Math.max(
    0,
    ...Object.values(curves)
      .flat()
      .map((r) => r.at(-1)?.round ?? 0),
  );
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return m === null || xs.length < 2
      ? null
      : Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  };
  const summary = Object.fromEntries(
    Object.entries(curves).map(([name, runs]) => {
      const finals = runs.map((r) => r.at(-1)).filter((r): r is RoundRecord => r !== undefined);
      const tk = finals.map((r) => r.top_k_mean);
      return [
        name,
        {
          loops: runs.length,
          rounds: mean(finals.map((r) => r.round)),
          top_k_mean: mean(tk),
          top_k_mean_sd: sd(tk),
          best: mean(finals.map((r) => r.best_so_far)),
          modes_found: mean(finals.flatMap((r) => (r.modes_found === null ? [] : [r.modes_found]))),
          top_k_diversity: mean(finals.map((r) => r.top_k_diversity)),
          data: mean(finals.map((r) => r.data)),
        },
      ];
    }),
  );
  const figures: Figure[] = [];
  for (const [file, label, pick] of OPTIMIZE_CHARTS) {
    const series = optimizeSeries(curves, pick);
    if (series.every((s) => s.points.length === 0)) continue;
    const title = `${label} per round (${config.env}, mean of ${config.seeds} seed(s))`;
    figures.push({
      file,
      caption: `${label}, by round (round 0: the initial data), for each generator: the mean over seeds.`,
      svg: lineChart(series, { title, xLabel: `round (of ${rounds})`, yLabel: label }),
    });
  }
  return { config, summary, figures };
}

/** optimize.json's summary and the SVG plots, from the loops saved under `out`. */
export function writeComparison(out: string): void {
  const { config, summary, figures } = optimizeComparison(out);
  writeFileSync(join(out, CONFIG_FILE), `${JSON.stringify({ ...config, summary }, null, 2)}\n`);
  for (const f of figures) writeFileSync(join(out, f.file), f.svg);
}
