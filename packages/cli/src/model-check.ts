import { type DiscreteEnv, UserError } from '@gflownet/core';
import { SpecEnv, checkSpecEnv } from '@gflownet/dsl';
import type { FlagSpec } from './flags.js';

/** `--check-limit N`, shared by the commands that run a spec env (train, sample, eval). */
export const CHECK_LIMIT_FLAG: FlagSpec = {
  name: 'check-limit',
  type: 'int',
  default: 4096,
  min: 0,
  max: 100_000_000,
  placeholder: 'N',
  description:
    'a spec env is model-checked first: every state when it has at most N, else 20 random ' +
    'walks (0 skips the check; gfn check SPEC checks more)',
};

/**
 * A spec env is model-checked before it is used, so that a spec whose parent rules disagree with
 * its actions, with a cycle, a dead end, a rule that cannot be applied, or a reward that is not
 * positive never trains to a wrong distribution, dies mid-run, or samples from a broken space:
 * every state up to `limit`, else random walks. The violations are user errors, as `gfn check`
 * prints them. Other envs pass untouched.
 */
export async function modelCheckEnv(
  env: DiscreteEnv,
  limit: number,
  purpose = 'training would not learn R/Z',
): Promise<void> {
  if (limit === 0 || !(env instanceof SpecEnv)) return;
  const report = await checkSpecEnv(env, { limit, walks: 20, maxPerCode: 1 });
  const errors = report.violations.filter((v) => v.code !== 'C507');
  if (errors.length === 0) return;
  const shown = errors.map((v) => `  ${v.code}: ${v.message} (in state ${v.state})`).join('\n');
  throw new UserError(
    `env '${env.name}' fails its model check, so ${purpose}:\n${shown}\n` +
      "run 'gfn check' on the spec for the full report (--check-limit 0 skips this check)",
  );
}
