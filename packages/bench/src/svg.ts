/** Plain SVG charts for the benchmark results (no dependencies). */

const FONT = 'font-family="sans-serif" font-size="11"';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface BarRow {
  label: string;
  value: number;
  /** The compute floor as a rate (the most this row could reach), drawn as a tick. */
  ceiling?: number;
  /** A peer's figure, drawn as a dot. */
  peer?: number;
}

/** Horizontal bars on a log scale, with a tick for the ceiling and a dot for the peer. */
export function barChart(title: string, unit: string, rows: readonly BarRow[], y0: number): string {
  const left = 190;
  const width = 520;
  const rowH = 14;
  const values = rows.flatMap((r) => [r.value, r.ceiling ?? 0, r.peer ?? 0]).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const x = (v: number): number => left + (width * Math.log10(v / lo)) / Math.log10(hi / lo);
  const out = [`<text x="10" y="${y0 + 14}" ${FONT} font-weight="bold">${escape(title)}</text>`];
  const top = y0 + 26;
  for (let d = lo; d <= hi; d *= 10) {
    out.push(
      `<line x1="${x(d)}" y1="${top}" x2="${x(d)}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x(d)}" y="${top + rows.length * rowH + 12}" ${FONT} text-anchor="middle">${d} ${unit}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    out.push(
      `<text x="${left - 6}" y="${y + 10}" ${FONT} text-anchor="end">${escape(r.label)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(r.value) - left)}" height="${rowH - 4}" fill="#4878a8"/>`,
    );
    if (r.ceiling) {
      out.push(
        `<line x1="${x(r.ceiling)}" y1="${y + 1}" x2="${x(r.ceiling)}" y2="${y + rowH - 1}" stroke="#c03030" stroke-width="2"/>`,
      );
    }
    if (r.peer) {
      out.push(`<circle cx="${x(r.peer)}" cy="${y + rowH / 2}" r="3.5" fill="#e0a020"/>`);
    }
  });
  return out.join('\n');
}

export interface Series {
  name: string;
  points: [number, number][];
}

/** A line chart on log-log axes. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
  x0: number,
  y0: number,
): string {
  const w = 300;
  const h = 170;
  const left = x0 + 50;
  const top = y0 + 26;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [xlo, xhi] = [Math.min(...xs), Math.max(...xs)];
  const ylo = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yhi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const px = (v: number): number => left + (w * Math.log(v / xlo)) / Math.log(xhi / xlo || 2);
  const py = (v: number): number => top + h - (h * Math.log(v / ylo)) / Math.log(yhi / ylo);
  const colors = ['#4878a8', '#c03030', '#e0a020', '#50a050'];
  const out = [
    `<text x="${x0 + 10}" y="${y0 + 14}" ${FONT} font-weight="bold">${escape(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${left + w / 2}" y="${top + h + 28}" ${FONT} text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="${x0 + 10}" y="${top - 4}" ${FONT}>${escape(yLabel)}</text>`,
  ];
  for (const v of [...new Set(xs)]) {
    out.push(`<text x="${px(v)}" y="${top + h + 13}" ${FONT} text-anchor="middle">${v}</text>`);
  }
  for (let d = ylo; d <= yhi; d *= 10) {
    out.push(
      `<line x1="${left}" y1="${py(d)}" x2="${left + w}" y2="${py(d)}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${py(d) + 4}" ${FONT} text-anchor="end">${d}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = colors[i % colors.length]!;
    const path = s.points.map(([a, b], j) => `${j ? 'L' : 'M'}${px(a)},${py(b)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    out.push(
      `<text x="${left + w + 6}" y="${top + 12 + i * 14}" ${FONT} fill="${color}">${escape(s.name)}</text>`,
    );
  });
  return out.join('\n');
}

export function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
