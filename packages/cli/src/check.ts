import { readFileSync } from 'node:fs';
import { UserError } from '@gflownet/core';
import { parseNumber } from '@gflownet/core/env';
import {
  SpecError,
  checkFailed,
  checkSpecEnv,
  compileSpec,
  formatCheckReport,
  formatDiagnostics,
} from '@gflownet/dsl';
import { loadModules, specExterns, specPath } from './discover.js';
import { type FlagSpec, formatHelp, paramPairs, parseFlags } from './flags.js';

export const CHECK_FLAGS: FlagSpec[] = [
  {
    name: 'limit',
    type: 'int',
    default: 200_000,
    min: 1,
    max: 100_000_000,
    description: 'explore every state when there are at most this many; else random walks',
  },
  {
    name: 'walks',
    type: 'int',
    default: 2_000,
    min: 1,
    max: 100_000_000,
    description: 'random walks when the space is larger than --limit',
  },
  {
    name: 'seed',
    type: 'int',
    default: 0,
    min: 0,
    max: 2 ** 31 - 1,
    description: 'random seed of the walks',
  },
  {
    name: 'param',
    type: 'string',
    repeatable: true,
    placeholder: 'NAME=VALUE',
    description: 'spec parameter (same as --NAME VALUE)',
  },
  {
    name: 'plugin',
    type: 'string',
    repeatable: true,
    placeholder: 'MODULE',
    description: 'plugin module providing extern functions',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

export function checkHelp(): string {
  return formatHelp(
    'gfn check SPEC.gfn [options] [--PARAM value ...]',
    'Validate and model-check a spec: every diagnostic of the source, then an exploration of the\n' +
      'reachable states (all of them when at most --limit, else random walks) that reports states,\n' +
      'terminal states, the longest trajectory and Z when enumerable, and every violation with an\n' +
      'example state: parent rules that disagree with the actions, cycles, states outside the\n' +
      'schema, dead ends, rewards that are not positive and finite. Exits 1 on any error.',
    CHECK_FLAGS,
  );
}

export async function checkCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseFlags(argv, CHECK_FLAGS, true);
  const values = parsed.values;
  if (values['help']) {
    process.stdout.write(checkHelp());
    return 0;
  }
  if (parsed.positional.length !== 1) {
    throw new UserError('gfn check: give exactly one spec file, e.g. gfn check examples/bits.gfn');
  }
  const file = parsed.positional[0]!;
  const path = specPath(file);
  const raw = { ...parsed.extra, ...paramPairs(values['param'] as string[] | undefined) };
  // Integer parameters are checked by the spec itself (E403), with the declaration's position.
  const params = Object.fromEntries(
    Object.entries(raw).map(([name, v]) => [name, parseNumber(v, 'float', `--${name}`)]),
  );
  const plugins = await loadModules((values['plugin'] as string[] | undefined) ?? []);
  const externs = Object.fromEntries(specExterns(plugins).map((x) => [x.name, x.fn]));
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new UserError(`gfn check: '${file}' is not a text file (a .gfn spec is text)`);
  }
  const source = bytes.toString('utf8');
  const { EnvClass, diagnostics } = compileSpec(source, { file, externs });
  if (diagnostics.length > 0)
    process.stderr.write(`${formatDiagnostics(diagnostics, source, file)}\n`);
  if (!EnvClass) {
    process.stderr.write(
      `${file}: ${diagnostics.filter((d) => d.severity === 'error').length} error(s)\n`,
    );
    return 1;
  }
  let env;
  try {
    env = new EnvClass(params);
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // Flags not given keep the defaults of the flag table.
  const option = (name: string) =>
    (values[name] ?? CHECK_FLAGS.find((f) => f.name === name)!.default) as number;
  const report = await checkSpecEnv(env, {
    limit: option('limit'),
    walks: option('walks'),
    seed: option('seed'),
  });
  process.stdout.write(`${formatCheckReport(report, file)}\n`);
  return checkFailed(report) ? 1 : 0;
}
