import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type Evaluation, RUN_FILES, type Run, UserError } from '@gflownet/core';
import { type FlagSpec, RUN_DIR_FLAGS, formatHelp, parseFlags } from './flags.js';
import { openRunDir } from './load-run.js';
import { CONFIG_FILE as OPTIMIZE_CONFIG, optimizeComparison } from './optimize-results.js';
import { info, startBackend } from './setup.js';
import { type Series, escapeXml, gridHeatmaps, lineChart } from './svg.js';

export const REPORT_FLAGS: FlagSpec[] = [
  {
    name: 'out',
    type: 'string',
    placeholder: 'FILE',
    description: 'HTML file to write (default RUN_DIR/report.html; SVGs go to report/ next to it)',
  },
  {
    name: 'samples',
    type: 'int',
    default: 2000,
    min: 1,
    max: 1_000_000,
    description: 'fresh samples to pick the top objects from (envs that draw their objects)',
  },
  {
    name: 'top',
    type: 'int',
    default: 12,
    min: 1,
    max: 100,
    description: 'top objects to draw',
  },
  {
    name: 'backend',
    type: 'string',
    default: 'auto',
    description: 'tensor backend: auto, node, wasm or cpu',
  },
  ...RUN_DIR_FLAGS.filter((f) => f.name === 'plugin' || f.name === 'trust'),
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function reportHelp(): string {
  return formatHelp(
    'gfn report DIR [--out FILE]',
    'Write a self-contained HTML report of a trained run, with its charts also as SVG files:\n' +
      'the learning curves (loss, log Z, exact L1 when the env is enumerable, or top-k scores and\n' +
      'modes), the learned distribution against R/Z for 2D grids, and the best objects for envs\n' +
      'that draw them (molecules). For a gfn optimize directory: the summary of each generator and\n' +
      'its per-round curves (top-k score, best score, modes, batch score, proxy calibration).',
    REPORT_FLAGS,
  );
}

type Record_ = Record<string, unknown>;

function readSummary(path: string): Record_ {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${err instanceof Error ? err.message : err})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${path} must hold a JSON object`);
  }
  return parsed as Record_;
}

function readJsonl(path: string): Record_[] {
  if (!existsSync(path)) throw new UserError(`'${dirname(path)}' has no ${basename(path)}`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record_;
      } catch {
        throw new UserError(`${path}:${i + 1} is not valid JSON`);
      }
    });
}

/** At most `max` evenly spaced points (learning curves of long runs stay light). */
function thin(points: [number, number][], max = 1000): [number, number][] {
  if (points.length <= max) return points;
  const step = points.length / max;
  return Array.from({ length: max }, (_, i) => points[Math.floor(i * step)]!).concat([
    points.at(-1)!,
  ]);
}

function series(records: Record_[], key: string, name = key): Series {
  return {
    name,
    points: thin(
      records
        .filter((r) => typeof r[key] === 'number')
        .map((r) => [r['iteration'] as number, r[key] as number]),
    ),
  };
}

export interface Figure {
  file: string;
  caption: string;
  svg: string;
}

/** The learning-curve figures of a run's metrics log. */
export function learningCurves(records: Record_[]): Figure[] {
  const steps = records.filter((r) => r['kind'] === 'step');
  const evals = records.filter((r) => r['kind'] === 'eval');
  const figures: Figure[] = [
    {
      file: 'loss.svg',
      caption: 'Training loss per iteration.',
      svg: lineChart([series(steps, 'loss')], {
        title: 'Loss',
        xLabel: 'iteration',
        yLabel: 'loss',
        logY: steps.every((r) => !(typeof r['loss'] === 'number') || (r['loss'] as number) > 0),
      }),
    },
    {
      file: 'logz.svg',
      caption: "The objective's log Z estimate.",
      svg: lineChart([series(steps, 'logz', 'log Z')], {
        title: 'log Z estimate',
        xLabel: 'iteration',
        yLabel: 'log Z',
      }),
    },
  ];
  if (evals.some((r) => typeof r['l1_exact'] === 'number')) {
    figures.push({
      file: 'l1.svg',
      caption: 'Exact L1 distance (sum over terminating states of |p(x) - R(x)/Z|).',
      svg: lineChart([series(evals, 'l1_exact', 'L1')], {
        title: 'Exact L1 to R/Z',
        xLabel: 'iteration',
        yLabel: 'L1',
        logY: true,
      }),
    });
  }
  if (evals.some((r) => typeof r['top100_mean'] === 'number')) {
    figures.push({
      file: 'top-k.svg',
      caption: 'Mean score of the best 10, 100 and 1000 distinct objects sampled so far.',
      svg: lineChart(
        [
          series(evals, 'top10_mean', 'top 10'),
          series(evals, 'top100_mean', 'top 100'),
          series(evals, 'top1000_mean', 'top 1000'),
        ],
        { title: 'Top-k mean score', xLabel: 'iteration', yLabel: 'score' },
      ),
    });
  }
  if (evals.some((r) => typeof r['modes'] === 'number' || typeof r['modes_found'] === 'number')) {
    const key = evals.some((r) => typeof r['modes'] === 'number') ? 'modes' : 'modes_found';
    figures.push({
      file: 'modes.svg',
      caption: 'Modes found among the objects sampled so far.',
      svg: lineChart([series(evals, key, 'modes')], {
        title: 'Modes found',
        xLabel: 'iteration',
        yLabel: 'modes',
      }),
    });
  }
  return figures;
}

/** The learned terminating distribution next to R/Z, for enumerable envs on a 2-D grid. */
function gridFigure(run: Run, evaluation: Evaluation): Figure | null {
  const shape = run.env.gridShape;
  const graph = run.graph;
  const distributions = evaluation.distributions;
  if (!graph || !distributions || shape?.length !== 2) return null;
  const [w, h] = shape as [number, number];
  if (w > 256 || h > 256) return null;
  const grid = (p: Float64Array) => {
    const out = Array.from({ length: w }, () => new Array<number>(h).fill(0));
    for (let s = 0; s < graph.size; s++)
      out[graph.states[2 * s]!]![graph.states[2 * s + 1]!]! += p[s]!;
    return out;
  };
  return {
    file: 'distribution.svg',
    caption:
      'Where the trained sampler terminates (exact, by dynamic programming) and the target R(x)/Z.',
    svg: gridHeatmaps(
      [
        { title: 'learned p(x)', values: grid(distributions.learned) },
        { title: 'target R(x)/Z', values: grid(distributions.target) },
      ],
      { title: 'Terminating distribution' },
    ),
  };
}

/** The best distinct objects among the fresh samples, for envs that draw their objects. */
function topObjectsFigure(run: Run, evaluation: Evaluation, top: number): Figure | null {
  const { env } = run;
  if (!env.renderObjects || !evaluation.terminal) return null;
  const { states, logRewards: logR } = evaluation.terminal;
  const samples = evaluation.samples;
  const d = env.stateDim;
  const seen = new Set<string>();
  const best: number[] = [];
  const order = Array.from({ length: samples }, (_, i) => i).sort((a, b) => logR[b]! - logR[a]!);
  for (const i of order) {
    const row = states.subarray(i * d, (i + 1) * d);
    const key = env.canonicalKey ? env.canonicalKey(row) : row.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    best.push(i);
    if (best.length === top) break;
  }
  const chosen = new Int32Array(best.length * d);
  best.forEach((i, j) => chosen.set(states.subarray(i * d, (i + 1) * d), j * d));
  return {
    file: 'top-objects.svg',
    caption: `The ${best.length} highest-reward distinct objects among ${samples} fresh samples.`,
    svg: env.renderObjects(
      chosen,
      best.length,
      Float64Array.from(best, (i) => logR[i]!),
    ),
  };
}

function summaryTable(summary: Record_ | null): string {
  if (!summary) return '';
  const rows = Object.entries(summary)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(
      ([k, v]) =>
        `<tr><th>${escapeXml(k)}</th><td>${escapeXml(typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(5) : String(v))}</td></tr>`,
    );
  const samples = summary['sample_metrics'] as Record<string, number> | null | undefined;
  for (const [k, v] of Object.entries(samples ?? {})) {
    rows.push(
      `<tr><th>${escapeXml(k)}</th><td>${Number.isInteger(v) ? v : v.toPrecision(5)}</td></tr>`,
    );
  }
  return `<table>${rows.join('')}</table>`;
}

export function reportHtml(
  title: string,
  summary: Record_ | null,
  figures: Figure[],
  svgDir: string,
): string {
  const body = figures
    .map(
      (f) =>
        `<figure id="${f.file.replace('.svg', '')}">\n${f.svg}\n<figcaption>${escapeXml(f.caption)} <a href="${escapeXml(svgDir)}/${f.file}">SVG</a></figcaption>\n</figure>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; font-size: 13px; }
th { background: #f6f6f6; font-weight: normal; }
figure { display: inline-block; margin: 0 1.5em 2em 0; vertical-align: top; }
figcaption { font-size: 13px; color: #555; max-width: 560px; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${summaryTable(summary)}
${body}
</body>
</html>
`;
}

/** The report of a gfn optimize directory: its summary per generator and its per-round plots. */
function optimizeReport(dir: string, outFlag: string | undefined): void {
  const out = resolve(outFlag ?? join(dir, 'report.html'));
  const svgDir = join(dirname(out), 'report');
  const { config, summary, figures } = optimizeComparison(dir);
  mkdirSync(svgDir, { recursive: true });
  for (const f of figures)
    writeFileSync(join(svgDir, f.file), `<?xml version="1.0" encoding="UTF-8"?>\n${f.svg}\n`);
  const tables = Object.entries(summary)
    .map(([name, s]) => `<h2>${escapeXml(name)}</h2>\n${summaryTable(s)}`)
    .join('\n');
  const title = `gflownet-ts optimization: ${config.env}, ${config.generators.join(', ')}`;
  const html = reportHtml(title, null, figures, relative(dirname(out), svgDir) || '.');
  writeFileSync(out, html.replace('</h1>\n', `</h1>\n${tables}\n`));
  info(`wrote ${out} and ${figures.length} SVG files in ${svgDir}`);
}

export async function reportCommand(argv: readonly string[]): Promise<void> {
  const { values, positional } = parseFlags(argv, REPORT_FLAGS, false);
  if (values['help']) {
    process.stdout.write(reportHelp());
    return;
  }
  if (positional.length !== 1) throw new UserError('gfn report: give one RUN_DIR');
  const dir = positional[0]!;
  if (existsSync(join(dir, OPTIMIZE_CONFIG)) && !existsSync(join(dir, RUN_FILES.config))) {
    optimizeReport(dir, values['out'] as string | undefined);
    return;
  }
  if (!existsSync(join(dir, RUN_FILES.config))) {
    throw new UserError(
      `'${dir}' is not a run directory (it has no ${RUN_FILES.config}; make one with gfn train --out DIR)`,
    );
  }
  const out = resolve((values['out'] as string | undefined) ?? join(dir, 'report.html'));
  const svgDir = join(dirname(out), 'report');
  const records = readJsonl(join(dir, RUN_FILES.metrics));
  const summaryPath = join(dir, RUN_FILES.summary);
  const summary = existsSync(summaryPath) ? readSummary(summaryPath) : null;
  const figures = learningCurves(records);
  await startBackend(values['backend'] as string);
  const run = await openRunDir(
    dir,
    (values['plugin'] as string[] | undefined) ?? [],
    values['trust'] === true,
  );
  try {
    const draws = run.env.renderObjects !== undefined;
    const evaluation = await run.evaluate({
      samples: draws ? ((values['samples'] as number | undefined) ?? 2000) : 0,
      seed: run.config.seed + 104729,
      keepSamples: draws,
      keepDistributions: run.env.gridShape?.length === 2,
    });
    const grid = gridFigure(run, evaluation);
    if (grid) figures.push(grid);
    const objects = topObjectsFigure(run, evaluation, (values['top'] as number | undefined) ?? 12);
    if (objects) figures.push(objects);
  } finally {
    run.dispose();
  }
  mkdirSync(svgDir, { recursive: true });
  for (const f of figures)
    writeFileSync(join(svgDir, f.file), `<?xml version="1.0" encoding="UTF-8"?>\n${f.svg}\n`);
  const title = `gflownet-ts run: ${run.config.env}, ${run.config.loss}, ${basename(resolve(dir))}`;
  writeFileSync(out, reportHtml(title, summary, figures, relative(dirname(out), svgDir) || '.'));
  info(`wrote ${out} and ${figures.length} SVG files in ${svgDir}`);
}
