/**
 * Two kinds of failure. A `UserError` is a mistake in what the user gave us (a flag, a config, a
 * spec, a reward): the CLI prints its message alone, without a stack trace. A `GfnInternalError`
 * is a broken invariant inside the library or a plugin; its `kind` says which.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/**
 * A non-finite value met while training: a reward, the loss or a gradient. With `--on-nan skip`
 * the run drops that iteration's update; with `stop` (the default) it ends, keeping the last good
 * checkpoint.
 */
export class NonFiniteError extends UserError {
  constructor(
    /** 'reward', 'loss' or 'gradient'. */
    readonly term: 'reward' | 'loss' | 'gradient',
    message: string,
  ) {
    super(message);
  }
}

/**
 * An environment that breaks the contract at run time: a state with no allowed action (a dead
 * end), or a trajectory that never ends (a cycle). It is the env author's to fix, so it is a
 * user error, with the state and a pointer to the tools that find every such state.
 */
export class EnvContractError extends UserError {
  constructor(envName: string, what: string) {
    super(
      `env '${envName}': ${what}; run 'gfn check' on its spec (or the conformance suite, ` +
        'assertConformance from @gflownet/core/testing, on an env written in code), which finds ' +
        'every such state',
    );
  }
}

export type InternalErrorKind =
  'shape' | 'invalid-action' | 'cycle' | 'capability' | 'state' | 'checkpoint';

export class GfnInternalError extends Error {
  override readonly name = 'GfnInternalError';
  constructor(
    readonly kind: InternalErrorKind,
    message: string,
  ) {
    super(`[${kind}] ${message}`);
  }
}

/** Formats a list of valid names for "unknown X" messages. */
export function listNames(names: Iterable<string>): string {
  return [...names]
    .sort()
    .map((n) => `'${n}'`)
    .join(', ');
}
