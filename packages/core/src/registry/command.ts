import { token } from './token.js';

/**
 * One option of a command or one field of a configuration: its type, default and range. The
 * `gfn` CLI parses flags and writes help texts from these; the run configuration declares its
 * fields with them, so defaults and ranges are written once.
 */
export interface FlagSpec {
  name: string;
  type: 'int' | 'float' | 'string' | 'bool' | 'int-list' | 'schedule';
  description: string;
  /** Shown in help; also the value used when the flag is absent (unless undefined). */
  default?: string | number | boolean | number[];
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** The flag may be given many times; its value is then a list. */
  repeatable?: boolean;
  /** Short alias, e.g. 'n' for -n. */
  alias?: string;
  /** Placeholder in help, e.g. 'DIR'. */
  placeholder?: string;
}

export type FlagValue = string | number | boolean | number[] | string[];

/** What a command receives: its flags, checked and completed with defaults, and its arguments. */
export interface CommandInput {
  values: Record<string, FlagValue>;
  positional: string[];
}

/**
 * A command that a package adds to the `gfn` CLI (Theia's contribution points): `name` is its
 * path under `gfn`, words separated by spaces ('molecule score' is `gfn molecule score`). The CLI
 * parses the flags, prints the help, and maps a UserError to exit code 2.
 */
export interface CommandContribution {
  readonly name: string;
  /** One line for the command lists. */
  readonly summary: string;
  /** e.g. 'gfn molecule score FILE'. */
  readonly usage: string;
  /** The help text's paragraph. */
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** How many positional arguments the command takes (default 0). */
  readonly arguments?: { min: number; max: number; what: string };
  /** Resolves to the exit code, or nothing for 0. */
  run(input: CommandInput): Promise<number | void>;
}
export const CommandContribution = token<CommandContribution>('@gflownet/core/CommandContribution');
