import type { DiscreteEnv } from '../env/env.js';
import type { PolicyModel } from '../policies/model.js';
import type { BackwardSampler } from './backward.js';
import type { OnPolicySampler } from './on-policy.js';
import type { Sampler } from './sampler.js';
import {
  type Segment,
  type Trajectories,
  assembleTrajectories,
  concatTrajectories,
  segmentOf,
} from './trajectories.js';

/**
 * Local search (Kim et al., 2024, "Local Search GFlowNets", deterministic filtering). Half of the
 * batch is sampled forward as usual; for each of those trajectories, a backward walk from its
 * terminating state x with the backward policy is cut `backtrack` steps before x, the forward
 * policy rebuilds from there to a new x', and the batch's other half keeps, per pair, whichever
 * of the two trajectories has the higher reward. The losses use the policy's own probabilities,
 * so training on the filtered trajectories stays correct.
 */
export class LocalSearchSampler implements Sampler {
  constructor(
    private readonly env: DiscreteEnv,
    private readonly forward: OnPolicySampler,
    private readonly backward: BackwardSampler,
    readonly backtrack: number,
  ) {}

  async sample(model: PolicyModel, count: number, iteration = 0): Promise<Trajectories> {
    const env = this.env;
    const d = env.stateDim;
    const fresh = Math.ceil(count / 2);
    const first = await this.forward.sample(model, fresh, iteration);
    const refine = count - fresh;
    if (refine === 0) return first;
    const terminals = first.terminalStates().subarray(0, refine * d);
    const walks = this.backward.paths(model, terminals, refine);
    const junctions = new Int32Array(refine * d);
    const prefixes: Segment[] = walks.map((walk, b) => {
      const keepActions = Math.max(0, walk.actions.length - this.backtrack);
      const prefix = {
        states: walk.states.slice(0, keepActions * d),
        actions: walk.actions.slice(0, keepActions),
      };
      junctions.set(walk.states.slice(keepActions * d, (keepActions + 1) * d), b * d);
      return prefix;
    });
    const tails = this.forward.rollout(model, junctions, refine, iteration);
    const rebuilt = await assembleTrajectories(
      env,
      prefixes.map((p, b) => ({
        states: [...p.states, ...tails[b]!.states],
        actions: [...p.actions, ...tails[b]!.actions],
      })),
    );
    const kept: Segment[] = [];
    const logRewards = new Float64Array(refine);
    for (let b = 0; b < refine; b++) {
      const better = rebuilt.logRewards[b]! > first.logRewards[b]!;
      kept.push(segmentOf(better ? rebuilt : first, b));
      logRewards[b] = better ? rebuilt.logRewards[b]! : first.logRewards[b]!;
    }
    return concatTrajectories(env, [first, await assembleTrajectories(env, kept, logRewards)]);
  }
}
