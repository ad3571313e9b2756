import { stateKey } from '../env/state-utils.js';
import { GfnInternalError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { PolicyModel } from '../policies/model.js';
import { OnPolicySampler } from '../samplers/on-policy.js';
import { Rng } from '../util/rng.js';
import { compareDistributions, modelTerminatingDistribution, targetDistribution } from './exact.js';
import type { StateGraph } from './state-graph.js';

export interface ExactMetrics {
  l1_exact: number;
  l1_mean_exact: number;
  tv_exact: number;
  jsd_exact: number;
  logz_true: number;
  logz_estimate: number;
  logz_error: number;
}

/** Exact distances between the policy's terminating distribution and R/Z (no sampling). */
export function exactMetrics(model: PolicyModel, loss: Loss, graph: StateGraph): ExactMetrics {
  const p = modelTerminatingDistribution(model, graph);
  const d = compareDistributions(p, targetDistribution(graph), graph.numTerminal);
  const estimate = loss.estimateLogZ(model);
  return {
    l1_exact: d.l1,
    l1_mean_exact: d.l1Mean,
    tv_exact: d.tv,
    jsd_exact: d.jsd,
    logz_true: graph.logZ,
    logz_estimate: estimate,
    logz_error: Math.abs(estimate - graph.logZ),
  };
}

/** Terminating states of `count` fresh trajectories from the unexplored policy. */
export async function sampleTerminalStates(
  model: PolicyModel,
  count: number,
  seed: number,
): Promise<Int32Array> {
  const d = model.env.stateDim;
  const out = new Int32Array(count * d);
  let done = 0;
  for await (const chunk of terminalStateChunks(model, count, seed)) {
    out.set(chunk, done * d);
    done += chunk.length / d;
  }
  return out;
}

/**
 * The same samples as `sampleTerminalStates`, as they come: chunks of at most `chunk` states,
 * so that a caller can write them out with memory that does not grow with `count`.
 */
export async function* terminalStateChunks(
  model: PolicyModel,
  count: number,
  seed: number,
  chunk = 4096,
): AsyncGenerator<Int32Array> {
  const sampler = new OnPolicySampler(model.env, new Rng(seed));
  for (let done = 0; done < count; done += chunk) {
    const batch = await sampler.sample(model, Math.min(chunk, count - done));
    yield batch.terminalStates();
  }
}

/** sum_x |p_hat(x) - R(x)/Z| with p_hat the histogram of the given terminating states. */
export function empiricalL1(graph: StateGraph, terminal: Int32Array, count: number): number {
  const hist = new Float64Array(graph.size);
  for (let i = 0; i < count; i++) {
    const s = graph.index.get(stateKey(graph.env, terminal, i));
    if (s === undefined) {
      throw new GfnInternalError('state', 'a sampled terminating state is not in the state graph');
    }
    hist[s]! += 1 / count;
  }
  return compareDistributions(hist, targetDistribution(graph), graph.numTerminal).l1;
}
