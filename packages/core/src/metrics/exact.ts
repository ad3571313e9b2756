import { type PolicyModel, policyProbabilities } from '../policies/model.js';
import type { StateGraph } from './state-graph.js';

/**
 * The probability that the forward policy terminates in each state, by dynamic programming over
 * the DAG in topological order (no sampling noise):
 *   reach(s0) = 1,  reach(s') += reach(s) pi(a|s) for each edge s -a-> s',
 *   p(x) = reach(x) pi(exit|x).
 * `probs` holds pi(.|s) for every graph state, [S * A].
 */
export function terminatingDistribution(graph: StateGraph, probs: Float32Array): Float64Array {
  const a = graph.env.numActions;
  const exit = graph.env.exitAction;
  const reach = new Float64Array(graph.size);
  const p = new Float64Array(graph.size);
  reach[0] = 1;
  for (const s of graph.order) {
    const r = reach[s]!;
    if (r === 0) continue;
    if (graph.canExit[s]) p[s] = r * probs[s * a + exit]!;
    for (let e = graph.edgeStart[s]!; e < graph.edgeStart[s + 1]!; e++) {
      reach[graph.edgeChild[e]!]! += r * probs[s * a + graph.edgeAction[e]!]!;
    }
  }
  return p;
}

export function modelTerminatingDistribution(model: PolicyModel, graph: StateGraph): Float64Array {
  return terminatingDistribution(graph, policyProbabilities(model, graph.states, graph.size));
}

/** The target R(x)/Z over the graph's terminating states (0 elsewhere). */
export function targetDistribution(graph: StateGraph): Float64Array {
  const out = new Float64Array(graph.size);
  for (let s = 0; s < graph.size; s++) {
    if (graph.canExit[s]) out[s] = Math.exp(graph.logRewards[s]! - graph.logZ);
  }
  return out;
}

export interface DistributionDistance {
  /** sum_x |p(x) - pi(x)| (torchgfn's convention). */
  l1: number;
  /** The same divided by the number of terminating states (the 2021 paper's convention). */
  l1Mean: number;
  /** Total variation, l1 / 2. */
  tv: number;
  /** Jensen-Shannon divergence, natural log. */
  jsd: number;
}

export function compareDistributions(
  p: Float64Array,
  target: Float64Array,
  numTerminal: number,
): DistributionDistance {
  let l1 = 0;
  let jsd = 0;
  for (let s = 0; s < p.length; s++) {
    const x = p[s]!;
    const y = target[s]!;
    l1 += Math.abs(x - y);
    const m = (x + y) / 2;
    if (x > 0) jsd += 0.5 * x * Math.log(x / m);
    if (y > 0) jsd += 0.5 * y * Math.log(y / m);
  }
  return { l1, l1Mean: l1 / numTerminal, tv: l1 / 2, jsd };
}
