import { readFileSync } from 'node:fs';
import { GfnInternalError, UserError, listNames } from '../errors.js';
import { checkCommand, checkHelp } from './check.js';
import { evalCommand, evalHelp } from './eval.js';
import { loadMoleculePackage } from './modules.js';
import { newEnvCommand, newEnvHelp } from './new-env.js';
import { pluginsCommand, pluginsHelp } from './plugins.js';
import { reportCommand, reportHelp } from './report.js';
import { sampleCommand, sampleHelp } from './sample.js';
import { trainCommand, trainHelp } from './train.js';

const COMMANDS: Record<
  string,
  {
    /** Resolves to the exit code, or nothing for 0. */
    run: (argv: readonly string[]) => Promise<void | number>;
    help: () => string | Promise<string>;
    summary: string;
  }
> = {
  train: { run: trainCommand, help: trainHelp, summary: 'train a GFlowNet and save the run' },
  sample: {
    run: sampleCommand,
    help: sampleHelp,
    summary: 'sample terminating states from a trained run',
  },
  eval: { run: evalCommand, help: evalHelp, summary: 'metrics of a trained run' },
  check: {
    run: checkCommand,
    help: checkHelp,
    summary: 'validate and model-check a .gfn spec',
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
  'new-env': {
    run: async (argv) => newEnvCommand(argv),
    help: newEnvHelp,
    summary: 'create a ready-to-publish env package (spec, module, test, README)',
  },
  molecule: {
    run: async (argv) => (await loadMoleculePackage()).moleculeCommand(argv),
    help: async () => (await loadMoleculePackage()).moleculeHelp(),
    summary: 'molecule tools (score, draw, train-proxy); needs @gflownet/env-molecule',
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Every help text, in order: `gfn --help`, then each command's (and each `gfn molecule` command's
 * when the molecule package is installed). The CLI reference in docs/ is made from these.
 */
export async function allHelp(): Promise<{ command: string; text: string }[]> {
  const out = [{ command: 'gfn', text: mainHelp() }];
  for (const [name, c] of Object.entries(COMMANDS)) {
    if (name === 'molecule') continue;
    out.push({ command: `gfn ${name}`, text: await c.help() });
  }
  const molecule = await loadMoleculePackage().catch(() => null);
  if (molecule) {
    out.push({ command: 'gfn molecule', text: molecule.moleculeHelp() });
    for (const sub of molecule.MOLECULE_COMMANDS) {
      out.push({ command: `gfn molecule ${sub}`, text: molecule.moleculeHelp(sub) });
    }
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
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `Usage: gfn <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun 'gfn <command> --help' for the options of a command.\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      process.stdout.write(topic && COMMANDS[topic] ? await COMMANDS[topic].help() : mainHelp());
      return 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const entry = COMMANDS[command];
    if (!entry) {
      throw new UserError(
        `unknown command '${command}' (valid commands: ${listNames(Object.keys(COMMANDS))})`,
      );
    }
    return (await entry.run(rest)) ?? 0;
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
