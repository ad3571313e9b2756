/** Small, dependency-free SVG charts for run reports. */

export interface Series {
  name: string;
  /** [x, y] points; non-finite y values are skipped. */
  points: [number, number][];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Plot y on a log10 scale (values <= 0 are skipped). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Round numbers for an axis from lo to hi (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** A line chart with axes, ticks, a legend and one polyline per series. */
export function lineChart(series: readonly Series[], o: LineChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 320;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const usable = series.map((s) => ({
    name: s.name,
    points: s.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0),
    ),
  }));
  const xs = usable.flatMap((s) => s.points.map(([x]) => x));
  const ys = usable.flatMap((s) => s.points.map(([, y]) => ty(y)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="${titleSize(o.title, width)}" font-weight="bold">${escapeXml(o.title)}</text>`,
  ];
  if (xs.length === 0) {
    parts.push(
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-family="sans-serif" font-size="13">no data</text>`,
      '</svg>',
    );
    return parts.join('\n');
  }
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => m.top + plotH - ((ty(y) - y0) / (y1 - y0)) * plotH;
  const axis = 'stroke="#333" stroke-width="1"';
  parts.push(
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" ${axis}/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" ${axis}/>`,
  );
  for (const t of niceTicks(x0, x1)) {
    const x = px(t);
    parts.push(
      `<line x1="${x}" y1="${m.top + plotH}" x2="${x}" y2="${m.top + plotH + 4}" ${axis}/>`,
      `<text x="${x}" y="${m.top + plotH + 17}" text-anchor="middle" font-family="sans-serif" font-size="11">${formatTick(t)}</text>`,
    );
  }
  const yTicks = o.logY
    ? niceTicks(Math.ceil(y0), Math.floor(y1), Math.max(1, Math.floor(y1) - Math.ceil(y0))).map(
        (e) => 10 ** e,
      )
    : niceTicks(y0, y1);
  for (const t of yTicks) {
    const y = m.top + plotH - ((ty(t) - y0) / (y1 - y0)) * plotH;
    if (y < m.top - 1 || y > m.top + plotH + 1) continue;
    parts.push(
      `<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#e5e5e5" stroke-width="1"/>`,
      `<text x="${m.left - 6}" y="${y + 4}" text-anchor="end" font-family="sans-serif" font-size="11">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${height - 10}" text-anchor="middle" font-family="sans-serif" font-size="12">${escapeXml(o.xLabel)}</text>`,
    `<text x="14" y="${m.top + plotH / 2}" text-anchor="middle" font-family="sans-serif" font-size="12" transform="rotate(-90 14 ${m.top + plotH / 2})">${escapeXml(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`,
  );
  usable.forEach((s, i) => {
    if (s.points.length === 0) return;
    const color = COLORS[i % COLORS.length]!;
    const d = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(
      s.points.length === 1
        ? `<circle class="series" cx="${px(s.points[0]![0])}" cy="${py(s.points[0]![1])}" r="3" fill="${color}"/>`
        : `<polyline class="series" fill="none" stroke="${color}" stroke-width="1.5" points="${d}"/>`,
    );
    if (usable.length > 1) {
      const ly = m.top + 6 + i * 16;
      parts.push(
        `<line x1="${m.left + plotW - 150}" y1="${ly}" x2="${m.left + plotW - 132}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
        `<text x="${m.left + plotW - 126}" y="${ly + 4}" font-family="sans-serif" font-size="11">${escapeXml(s.name)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Side-by-side heatmaps of two distributions on a 2D grid (cell [i][j] at column i, row j). */
export function gridHeatmaps(
  panels: readonly { title: string; values: number[][] }[],
  o: { title: string; cell?: number },
): string {
  const cols = panels[0]?.values.length ?? 0;
  const rows = panels[0]?.values[0]?.length ?? 0;
  const cell = o.cell ?? Math.max(6, Math.min(32, Math.floor(256 / Math.max(cols, rows, 1))));
  const panelW = cols * cell;
  const gap = 40;
  const width = panels.length * panelW + (panels.length + 1) * gap;
  const height = rows * cell + 90;
  const max = Math.max(...panels.flatMap((p) => p.values.flat()), 1e-300);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="${titleSize(o.title, width)}" font-weight="bold">${escapeXml(o.title)}</text>`,
  ];
  panels.forEach((p, k) => {
    const left = gap + k * (panelW + gap);
    const top = 50;
    parts.push(
      `<text x="${left + panelW / 2}" y="${top - 8}" text-anchor="middle" font-family="sans-serif" font-size="12">${escapeXml(p.title)}</text>`,
    );
    p.values.forEach((column, i) =>
      column.forEach((v, j) => {
        // White to dark blue, on a shared scale so the panels compare.
        const t = Math.sqrt(Math.max(0, v) / max);
        const c = (a: number, b: number) => Math.round(a + (b - a) * t);
        parts.push(
          `<rect class="cell" x="${left + i * cell}" y="${top + (rows - 1 - j) * cell}" width="${cell}" height="${cell}" fill="rgb(${c(255, 8)},${c(255, 48)},${c(255, 107)})"><title>(${i}, ${j}): ${v.toExponential(3)}</title></rect>`,
        );
      }),
    );
  });
  parts.push(
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle" font-family="sans-serif" font-size="11">darker = more probable (shared square-root scale); x[0] to the right, x[1] upwards</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

/**
 * The title's font size: 15, or smaller so that a long title fits the width (bold sans-serif
 * glyphs average about 0.6 em).
 */
function titleSize(title: string, width: number): number {
  return Math.max(9, Math.min(15, Math.floor((width - 16) / (0.6 * title.length))));
}
