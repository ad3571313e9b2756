#!/usr/bin/env node
/**
 * Writes data/bayesnet.csv: 30 samples of four variables from a linear-Gaussian structural
 * equation model on the DAG X0 -> X1, X0 -> X2, X1 -> X3, X2 -> X3 (seed 7). Run once; the file
 * ships with the package and bayesnet-scores.mjs derives the spec's score table from it.
 */
import { writeFileSync } from 'node:fs';
import { rng } from './rng.mjs';

const { normal } = rng(7);
const rows = ['x0,x1,x2,x3'];
for (let i = 0; i < 30; i++) {
  const x0 = normal();
  const x1 = 0.8 * x0 + 0.6 * normal();
  const x2 = -0.7 * x0 + 0.6 * normal();
  const x3 = 0.6 * x1 + 0.6 * x2 + 0.5 * normal();
  rows.push([x0, x1, x2, x3].map((v) => v.toFixed(4)).join(','));
}
writeFileSync(new URL('../data/bayesnet.csv', import.meta.url), `${rows.join('\n')}\n`);
