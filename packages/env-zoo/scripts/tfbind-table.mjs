#!/usr/bin/env node
/**
 * The lookup table of specs/tfbind.gfn: a made-up binding score for every DNA sequence of length
 * 6 (4^6 = 4096 entries, the sequence x read as the base-4 number sum x[i] * 4^i). Real TFBind8
 * measurements (Barrera et al., 2016) are not shipped; this table has their shape: a position
 * weight matrix plus interactions of neighbouring bases (seed 11), scaled to 0.001..1.
 * Prints the spec's `const` line (`--json`: the numbers as JSON); `--check FILE` exits 1 when
 * FILE's table differs.
 */
import { tableCli } from './table-cli.mjs';
import { rng } from './rng.mjs';

export function tfbindTable() {
  const { normal } = rng(11);
  const L = 6;
  const pwm = Array.from({ length: L }, () => Array.from({ length: 4 }, () => normal()));
  const pair = Array.from({ length: L - 1 }, () =>
    Array.from({ length: 16 }, () => 0.5 * normal()),
  );
  const raw = Array.from({ length: 4 ** L }, (_, code) => {
    const x = Array.from({ length: L }, (_, i) => Math.floor(code / 4 ** i) % 4);
    let s = 0;
    for (let i = 0; i < L; i++) s += pwm[i][x[i]];
    for (let i = 0; i + 1 < L; i++) s += pair[i][x[i] * 4 + x[i + 1]];
    return s;
  });
  const lo = Math.min(...raw);
  const hi = Math.max(...raw);
  return raw.map((s) => Number((0.001 + (0.999 * (s - lo)) / (hi - lo)).toFixed(4)));
}

export function formatTable(values) {
  const rows = [];
  for (let i = 0; i < values.length; i += 16) rows.push(`  ${values.slice(i, i + 16).join(', ')}`);
  return `const score: float[4096] = [\n${rows.join(',\n')}\n]`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = tfbindTable();
  tableCli(table, formatTable(table));
}
