#!/usr/bin/env node
/**
 * The linear-Gaussian BIC score of each node given each parent set, from data/bayesnet.csv:
 *
 *   local(k, P) = -N/2 * (log(2 * pi * s2) + 1) - (|P| + 2)/2 * log N
 *
 * where s2 is the residual variance (RSS / N) of the least-squares fit of x_k on x_P and an
 * intercept. A graph's log-score is the sum over nodes of local(k, parents of k). Parent set P
 * is the bitmask sum of 2^j over j in P; masks that contain k itself are never used (0).
 * Prints the spec's `const local` table (`--json`: the numbers as JSON); `--check FILE` exits 1
 * when FILE's table differs.
 */
import { readFileSync } from 'node:fs';
import { tableCli } from './table-cli.mjs';

export function readCsv(path) {
  const [, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  return lines.map((l) => l.split(',').map(Number));
}

/** Solves the normal equations (X^T X) b = X^T y by Gaussian elimination with pivoting. */
function leastSquaresRss(X, y) {
  const p = X[0].length;
  const A = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p + 1 }, (_, j) =>
      X.reduce((s, row, r) => s + row[i] * (j < p ? row[j] : y[r]), 0),
    ),
  );
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[best][c])) best = r;
    [A[c], A[best]] = [A[best], A[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= p; j++) A[r][j] -= f * A[c][j];
    }
  }
  const b = A.map((row, i) => row[p] / row[i]);
  return X.reduce((s, row, r) => s + (y[r] - row.reduce((t, x, j) => t + x * b[j], 0)) ** 2, 0);
}

export function localScores(data) {
  const n = data.length;
  const d = data[0].length;
  return Array.from({ length: d }, (_, k) =>
    Array.from({ length: 2 ** d }, (_, mask) => {
      if ((mask >> k) & 1) return 0;
      const parents = [...Array(d).keys()].filter((j) => (mask >> j) & 1);
      const X = data.map((row) => [1, ...parents.map((j) => row[j])]);
      const s2 =
        leastSquaresRss(
          X,
          data.map((row) => row[k]),
        ) / n;
      return -(n / 2) * (Math.log(2 * Math.PI * s2) + 1) - ((parents.length + 2) / 2) * Math.log(n);
    }),
  );
}

export function formatTable(table) {
  const rows = table.map((r) => `  [${r.map((v) => v.toFixed(4)).join(', ')}]`);
  return `const local: float[4][16] = [\n${rows.join(',\n')}\n]`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = localScores(readCsv(new URL('../data/bayesnet.csv', import.meta.url)));
  tableCli(table, formatTable(table));
}
