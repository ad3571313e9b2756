import { UserError } from '../errors.js';
import { CommandOracle } from './command.js';
import { HttpOracle } from './http.js';
import type { Oracle } from './oracle.js';

/**
 * An oracle from its flag text: `command:PROGRAM ARGS` (a long-lived process reading objects on
 * stdin, one per line) or an `http://` / `https://` URL (batches POSTed as JSON).
 */
export function parseOracle(spec: string): Oracle {
  if (spec.startsWith('command:')) {
    const command = spec.slice('command:'.length).trim();
    if (!command)
      throw new UserError('--oracle command: needs a command, e.g. command:python dock.py');
    return new CommandOracle(command);
  }
  if (/^https?:\/\//.test(spec)) return new HttpOracle(spec);
  throw new UserError(
    `--oracle '${spec}': expected command:PROGRAM (a process reading objects on stdin) or an http(s):// URL`,
  );
}
