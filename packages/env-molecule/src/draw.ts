import { type RDKit, withMol } from './chem/rdkit.js';

export interface GridOptions {
  columns: number;
  /** Width and height of each cell in pixels. */
  size: number;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An SVG grid of molecule drawings (RDKit's SVG depictions nested as cells), each with a legend
 * line under it and its SMILES as the cell's tooltip.
 */
export function drawGrid(
  rdkit: RDKit,
  molecules: readonly { smiles: string; legend: string }[],
  o: GridOptions,
): string {
  const legend = 20;
  const columns = Math.min(o.columns, Math.max(1, molecules.length));
  const rows = Math.ceil(molecules.length / columns);
  const width = columns * o.size;
  const height = rows * (o.size + legend);
  const cells = molecules.map((m, i) => {
    const x = (i % columns) * o.size;
    const y = Math.floor(i / columns) * (o.size + legend);
    const drawing = withMol(rdkit, m.smiles, (mol) => (mol ? mol.get_svg(o.size, o.size) : null));
    const body = drawing
      ? drawing
          .replace(/<\?xml[^>]*\?>\s*/, '')
          .replace(/<svg\b/, `<svg x="${x}" y="${y}"`)
          .replace('<!-- END OF HEADER -->', `<title>${escapeXml(m.smiles)}</title>`)
      : '';
    const text =
      `<text x="${x + o.size / 2}" y="${y + o.size + legend - 6}" text-anchor="middle" ` +
      `font-family="sans-serif" font-size="13">${escapeXml(m.legend)}</text>`;
    return `${body}\n${text}`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...cells,
    '</svg>',
    '',
  ].join('\n');
}

/** Molecules (SMILES) with their legends, four to a row: how the envs draw their objects. */
export function drawMolecules(
  rdkit: RDKit,
  smiles: readonly string[],
  legends: readonly string[],
): string {
  return drawGrid(
    rdkit,
    smiles.map((s, i) => ({ smiles: s, legend: legends[i] ?? '' })),
    { columns: 4, size: 220 },
  );
}
