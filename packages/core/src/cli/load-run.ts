import type { BackendInfo } from '../backend.js';
import { RUN_DEFAULTS, type Run, createRun } from '../di/run.js';
import { UserError } from '../errors.js';
import type { FlagValue } from './flags.js';
import { loadModules } from './modules.js';
import { readRunDir } from './run-dir.js';
import { startBackend } from './setup.js';

/**
 * Rebuilds a trained run (env, loss, model with its weights) from its run directory. Fields a
 * run saved by an older version lacks take their defaults.
 */
export async function loadRun(dir: string): Promise<Run> {
  const { config, model } = readRunDir(dir);
  const modules = await loadModules(config.modules);
  return createRun({ ...RUN_DEFAULTS, ...config }, modules, model);
}

/** For commands with RUN_DIR_FLAGS: checks --run, starts the backend and loads the run. */
export async function openRun(
  values: Record<string, FlagValue>,
  command: string,
): Promise<{ run: Run; backend: BackendInfo }> {
  const dir = values['run'] as string | undefined;
  if (!dir) throw new UserError(`gfn ${command}: --run DIR is required`);
  const backend = await startBackend((values['backend'] as string | undefined) ?? 'auto');
  return { run: await loadRun(dir), backend };
}
