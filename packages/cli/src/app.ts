import { readFileSync } from 'node:fs';
import {
  CommandContribution,
  GfnInternalError,
  PluginRegistry,
  UserError,
  listNames,
} from '@gflownet/core';
import { checkCommand, checkHelp } from './check.js';
import { compareCommand, compareHelp } from './compare.js';
import { type DiscoveredPackage, discoverPackages, loadPackageModule } from './discover.js';
import { evalCommand, evalHelp } from './eval.js';
import { applyDefaults, formatHelp, parseFlags } from './flags.js';
import { newEnvCommand, newEnvHelp } from './new-env.js';
import { optimizeCommand, optimizeHelp } from './optimize.js';
import { pluginsCommand, pluginsHelp } from './plugins.js';
import { reportCommand, reportHelp } from './report.js';
import { sampleCommand, sampleHelp } from './sample.js';
import { trainCommand, trainHelp } from './train.js';
import { workerCommand, workerHelp } from './worker.js';

interface Command {
  /** Resolves to the exit code, or nothing for 0. */
  run: (argv: readonly string[]) => Promise<void | number>;
  help: () => string | Promise<string>;
  summary: string;
}

const BUILTIN: Record<string, Command> = {
  train: { run: trainCommand, help: trainHelp, summary: 'train a GFlowNet and save the run' },
  sample: {
    run: sampleCommand,
    help: sampleHelp,
    summary: 'sample terminating states from a trained run',
  },
  eval: { run: evalCommand, help: evalHelp, summary: 'metrics of a trained run' },
  check: { run: checkCommand, help: checkHelp, summary: 'validate and model-check a .gfn spec' },
  compare: {
    run: compareCommand,
    help: compareHelp,
    summary: 'run GFlowNets and baselines (random, mcmc) on one env for a budget of states visited',
  },
  optimize: {
    run: optimizeCommand,
    help: optimizeHelp,
    summary:
      'multi-round black-box optimization: proxy ensemble, acquisition, a generator, an oracle',
  },
  plugins: {
    run: pluginsCommand,
    help: pluginsHelp,
    summary: 'list every plugin (envs, losses, samplers, ...) with its options',
  },
  report: {
    run: reportCommand,
    help: reportHelp,
    summary: 'write an HTML report (learning curves, learned distribution, top objects) of a run',
  },
  worker: {
    run: workerCommand,
    help: workerHelp,
    summary: "take a learner's actor and oracle jobs through Redis (gfn train --redis)",
  },
  'new-env': {
    run: async (argv) => newEnvCommand(argv),
    help: newEnvHelp,
    summary: 'create a ready-to-publish env package (spec, module, test, README)',
  },
};

/** Top-level commands that installed packages declare, with the package of each. */
function contributedGroups(): Map<string, { summary: string; pkg: DiscoveredPackage }> {
  const out = new Map<string, { summary: string; pkg: DiscoveredPackage }>();
  for (const pkg of discoverPackages()) {
    for (const [name, summary] of Object.entries(pkg.manifest.commands ?? {})) {
      if (BUILTIN[name]) {
        throw new UserError(
          `package ${pkg.name} declares the command '${name}', which gfn has already`,
        );
      }
      out.set(name, { summary, pkg });
    }
  }
  return out;
}

/** The commands of a group ('molecule score', ...) that its package contributes. */
async function groupCommands(
  group: string,
  pkg: DiscoveredPackage,
): Promise<CommandContribution[]> {
  const registry = PluginRegistry.load([{ module: await loadPackageModule(pkg), from: pkg.name }]);
  return registry.all(CommandContribution).filter((c) => c.name.startsWith(`${group} `));
}

function commandHelp(c: CommandContribution): string {
  return formatHelp(c.usage, c.description, c.flags);
}

function groupHelp(group: string, commands: readonly CommandContribution[]): string {
  const sub = (c: CommandContribution) => c.name.slice(group.length + 1);
  const width = Math.max(...commands.map((c) => sub(c).length)) + 2;
  const lines = commands.map((c) => `  ${sub(c).padEnd(width)}${c.summary}`);
  return formatHelp(
    `gfn ${group} COMMAND [options]`,
    `The ${group} commands ('gfn ${group} COMMAND --help' for each).\n\n${lines.join('\n')}`,
    [{ name: 'help', type: 'bool', alias: 'h', description: 'show this help' }],
  );
}

/** Runs a contributed command: flags parsed and completed with defaults, arguments counted. */
async function runContributed(c: CommandContribution, argv: readonly string[]): Promise<number> {
  const { values, positional } = parseFlags(argv, c.flags, false);
  if (values['help']) {
    process.stdout.write(commandHelp(c));
    return 0;
  }
  applyDefaults(values, c.flags);
  const { min, max, what } = c.arguments ?? { min: 0, max: 0, what: 'argument' };
  if (positional.length < min || positional.length > max) {
    throw new UserError(
      max === 0
        ? `gfn ${c.name}: unexpected argument '${positional[0]}'`
        : `gfn ${c.name}: give ${min === max ? `${min}` : `${min} to ${max}`} ${what}`,
    );
  }
  return (await c.run({ values, positional })) ?? 0;
}

async function runGroup(
  group: string,
  pkg: DiscoveredPackage,
  argv: readonly string[],
): Promise<number> {
  const commands = await groupCommands(group, pkg);
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(groupHelp(group, commands));
    return sub === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === `${group} ${sub}`);
  if (!command) {
    throw new UserError(
      `unknown ${group} command '${sub}' (valid: ${listNames(commands.map((c) => c.name.slice(group.length + 1)))})`,
    );
  }
  return runContributed(command, rest);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Every help text, in order: `gfn --help`, then each command's, then each contributed group's
 * and its commands'. The CLI reference in docs/ is made from these.
 */
export async function allHelp(): Promise<{ command: string; text: string }[]> {
  const out = [{ command: 'gfn', text: mainHelp() }];
  for (const [name, c] of Object.entries(BUILTIN)) {
    out.push({ command: `gfn ${name}`, text: await c.help() });
  }
  for (const [group, { pkg }] of contributedGroups()) {
    const commands = await groupCommands(group, pkg);
    out.push({ command: `gfn ${group}`, text: groupHelp(group, commands) });
    for (const c of commands) out.push({ command: `gfn ${c.name}`, text: commandHelp(c) });
  }
  return out;
}

/** docs/cli.md: every help text under its command's heading. */
export async function cliReference(): Promise<string> {
  const sections = (await allHelp()).map(
    ({ command, text }) => `## \`${command}\`\n\n\`\`\`\n${text.trimEnd()}\n\`\`\`\n`,
  );
  return [
    '# CLI reference',
    '',
    'Generated from the same definitions as `--help` (`pnpm docs:cli` rewrites this file; a test',
    'fails when it is out of date).',
    '',
    ...sections,
  ].join('\n');
}

export function mainHelp(): string {
  const rows: [string, string][] = Object.entries(BUILTIN).map(([name, c]) => [name, c.summary]);
  for (const [name, { summary, pkg }] of contributedGroups())
    rows.push([name, `${summary} (${pkg.name})`]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const lines = rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`);
  return `Usage: gfn <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'gfn <command> --help' for the options of a command.\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      process.stdout.write(topic && BUILTIN[topic] ? await BUILTIN[topic].help() : mainHelp());
      return 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const builtin = BUILTIN[command];
    if (builtin) return (await builtin.run(rest)) ?? 0;
    const groups = contributedGroups();
    const group = groups.get(command);
    if (group) return await runGroup(command, group.pkg, rest);
    throw new UserError(
      `unknown command '${command}' (valid commands: ${listNames([...Object.keys(BUILTIN), ...groups.keys()])})`,
    );
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`gfn: error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof GfnInternalError) {
      process.stderr.write(`gfn: internal error (${err.kind}): ${err.stack ?? err.message}\n`);
      return 1;
    }
    throw err;
  }
}
