import { UserError } from '../errors.js';
import type { Prediction } from './proxy.js';

/** Acquisition functions by name: upper confidence bound, expected improvement, proxy mean. */
export const ACQUISITIONS = ['ucb', 'ei', 'mean'] as const;
export type AcquisitionName = (typeof ACQUISITIONS)[number];

export function isAcquisition(name: string): name is AcquisitionName {
  return (ACQUISITIONS as readonly string[]).includes(name);
}

/** Phi(z), the standard normal CDF (Abramowitz and Stegun 7.1.26 through erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** phi(z), the standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * The acquisition value of each prediction, in score units:
 * - `ucb`: mean + kappa * std (a negative kappa makes it a lower confidence bound);
 * - `ei`: E[max(0, f - best)] under N(mean, std^2), i.e. (mean - best) Phi(z) + std phi(z) with
 *   z = (mean - best) / std (max(0, mean - best) when std = 0);
 * - `mean`: the proxy's mean (pure exploitation).
 */
export function acquisitionValues(
  name: AcquisitionName,
  p: Prediction,
  options: { kappa: number; best: number },
): Float64Array {
  const n = p.mean.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = p.mean[i]!;
    const sd = p.std[i]!;
    if (name === 'mean') out[i] = mu;
    else if (name === 'ucb') out[i] = mu + options.kappa * sd;
    else if (sd <= 0) out[i] = Math.max(0, mu - options.best);
    else {
      const z = (mu - options.best) / sd;
      out[i] = (mu - options.best) * normalCdf(z) + sd * normalPdf(z);
    }
  }
  return out;
}

/**
 * How acquisition values become a GFlowNet's reward: values are scaled by the range of the
 * scores seen so far (`ucb` and `mean` also shifted by their minimum; `ei` is an improvement
 * already), so that the data spans about 0..1 whatever the oracle's units, then
 * log R = beta * log(max(floor, scaled)).
 */
export interface RewardShape {
  beta: number;
  floor: number;
}

export function acquisitionLogRewards(
  name: AcquisitionName,
  values: Float64Array,
  scores: { min: number; max: number },
  shape: RewardShape,
): Float64Array {
  const range = scores.max - scores.min || 1;
  const shift = name === 'ei' ? 0 : scores.min;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const scaled = (values[i]! - shift) / range;
    out[i] = shape.beta * Math.log(Math.max(shape.floor, Number.isFinite(scaled) ? scaled : 0));
  }
  return out;
}

export function checkRewardShape(shape: RewardShape): void {
  if (!(shape.beta > 0)) throw new UserError(`--acq-beta must be positive, not ${shape.beta}`);
  if (!(shape.floor > 0)) throw new UserError(`--acq-floor must be positive, not ${shape.floor}`);
}
