import { PluginRegistry } from '@gflownet/core';
import { describeParam } from '@gflownet/core/env';
import { loadEnvPackages, loadModules } from './discover.js';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';

export const PLUGINS_FLAGS: FlagSpec[] = [
  {
    name: 'plugin',
    type: 'string',
    repeatable: true,
    placeholder: 'MODULE',
    description: 'also list the plugins of this module',
  },
  { name: 'help', type: 'bool', alias: 'h', description: 'show this help' },
];

/** The flag that chooses a plugin of each kind. */
const KIND_FLAGS: Record<string, string> = {
  env: '--env NAME, parameters as --NAME VALUE',
  loss: '--loss NAME[:KEY=VALUE,...]',
  backward: '--backward NAME',
  penalty: '--penalty NAME[:KEY=VALUE,...]',
  sampler: '--sampler NAME[:KEY=VALUE,...]',
  replay: '--replay NAME[:KEY=VALUE,...], --replay-share X; none by default',
};

export function pluginsHelp(): string {
  return formatHelp(
    'gfn plugins [--plugin MODULE ...]',
    'List every plugin that can be chosen by name (envs, losses, backward policies, penalties,\nsamplers, replay buffers) with its options. Options are given as NAME:KEY=VALUE,...;\nenv parameters as flags (--NAME VALUE).',
    PLUGINS_FLAGS,
  );
}

export async function pluginsCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, PLUGINS_FLAGS, false);
  if (values['help']) {
    process.stdout.write(pluginsHelp());
    return;
  }
  const extra = (values['plugin'] as string[] | undefined) ?? [];
  const listing = PluginRegistry.load([
    ...(await loadEnvPackages()),
    ...(await loadModules(extra)),
  ]).list();
  const lines: string[] = [];
  for (const [kind, plugins] of Object.entries(listing)) {
    lines.push(`${kind} (${KIND_FLAGS[kind] ?? kind}):`);
    const width = Math.max(0, ...plugins.map((p) => p.name.length)) + 2;
    for (const p of plugins) {
      lines.push(`  ${p.name.padEnd(width)}${p.description}`);
      for (const o of p.options) {
        const values = describeParam(o);
        lines.push(
          `  ${' '.repeat(width)}  ${o.name}: ${o.type}, ${o.description}${values ? ` (${values})` : ''}`,
        );
      }
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
