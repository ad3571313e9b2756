import type { DiscreteEnv } from '../env/env.js';
import { intermediateLogReward } from '../env/state-utils.js';
import { UserError } from '../errors.js';
import type { PolicyModel } from '../policies/model.js';
import type { Trajectories } from '../samplers/trajectories.js';
import { type DbArrays, DetailedBalance } from './detailed-balance.js';
import type { LossOptions } from './loss.js';
import { initialLogFlow, prepareTransitions } from './transitions.js';

/**
 * Forward-looking detailed balance, FL-DB (Pan et al., 2023, "Better Training of GFlowNets with
 * Local Credit and Incomplete Trajectories", eq. 9). The env gives an intermediate reward R~(s) =
 * exp(-E(s)) on every state; the state-flow head learns F~ with log F(s) = log F~(s) + log R~(s),
 * so each transition sees the reward gained along it:
 *
 *   L(s -> s') = g( log F~(s) + log P_F(s'|s) - log F~(s') - log P_B(s|s') + log R~(s) - log R~(s') )
 *   L(x -> s_f) = g( log F~(x) + log R~(x) + log P_F(exit|x) - log R(x) )
 *
 * averaged over all transitions. Without an intermediate reward it is detailed balance; when
 * every state terminates the env's reward is used (R~ = R), as in the paper.
 */
export class ForwardLookingDetailedBalance extends DetailedBalance {
  override readonly name = 'fldb';
  private readonly intermediate: (states: Int32Array, n: number) => Promise<Float64Array>;
  private initialOffset: number | null = null;

  constructor(options: LossOptions) {
    super(options);
    this.intermediate = requireIntermediate(options.env);
  }

  override async prepare(batch: Trajectories): Promise<DbArrays> {
    const x = prepareTransitions(batch, this.backward);
    const values = await this.intermediate(batch.states, batch.numTransitions);
    this.initialOffset ??= (await this.intermediate(batch.env.initialState, 1))[0]!;
    return { ...x, flowOffset: Float32Array.from(values) };
  }

  /** log Z = log F~(s0) + log R~(s0). */
  override estimateLogZ(model: PolicyModel): number {
    return initialLogFlow(model) + (this.initialOffset ?? 0);
  }
}

function requireIntermediate(
  env: DiscreteEnv,
): (states: Int32Array, n: number) => Promise<Float64Array> {
  const fn = intermediateLogReward(env);
  if (!fn) {
    throw new UserError(
      `loss 'fldb' (forward-looking detailed balance) needs an intermediate reward on every state, ` +
        `and env '${env.name}' has none: it neither lets every state terminate nor provides ` +
        'logIntermediateReward(); use db or subtb',
    );
  }
  return fn;
}
