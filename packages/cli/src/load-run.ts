import { type BackendInfo, type Run, UserError, loadRun, readRunConfig } from '@gflownet/core';
import { loadModules } from './discover.js';
import type { FlagValue } from './flags.js';
import { startBackend } from './setup.js';

/** Opens a run directory with the modules its config.json names. */
export async function openRunDir(dir: string): Promise<Run> {
  const config = readRunConfig(dir);
  return loadRun(dir, await loadModules(config.modules));
}

/** For commands with RUN_DIR_FLAGS: checks --run, starts the backend and opens the run. */
export async function openRun(
  values: Record<string, FlagValue>,
  command: string,
): Promise<{ run: Run; backend: BackendInfo }> {
  const dir = values['run'] as string | undefined;
  if (!dir) throw new UserError(`gfn ${command}: --run DIR is required`);
  const backend = await startBackend((values['backend'] as string | undefined) ?? 'auto');
  return { run: await openRunDir(dir), backend };
}
