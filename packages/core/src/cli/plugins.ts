import { createContainer, listPlugins } from '../di/run.js';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';
import { BUILTIN_ENVS, loadPluginModule } from './modules.js';

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

export function pluginsHelp(): string {
  return formatHelp(
    'gfn plugins [--plugin MODULE ...]',
    'List the envs, losses and samplers that can be chosen by name.',
    PLUGINS_FLAGS,
  );
}

export async function pluginsCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseFlags(argv, PLUGINS_FLAGS, false);
  if (values['help']) {
    process.stdout.write(pluginsHelp());
    return;
  }
  const specs = [
    ...Object.values(BUILTIN_ENVS),
    ...((values['plugin'] as string[] | undefined) ?? []),
  ];
  const modules = await Promise.all(specs.map(loadPluginModule));
  const listing = listPlugins(createContainer(modules));
  const lines: string[] = [];
  for (const [kind, plugins] of Object.entries(listing)) {
    lines.push(`${kind}:`);
    const width = Math.max(0, ...plugins.map((p) => p.name.length)) + 2;
    for (const p of plugins) lines.push(`  ${p.name.padEnd(width)}${p.description}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
