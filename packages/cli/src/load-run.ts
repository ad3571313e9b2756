import { type BackendInfo, type Run, UserError, loadRun, readRunConfig } from '@gflownet/core';
import { loadRunModules } from './discover.js';
import type { FlagValue } from './flags.js';
import { runInputs } from './inputs.js';
import { CHECK_LIMIT_FLAG, modelCheckEnv } from './model-check.js';
import { info, startBackend } from './setup.js';

/**
 * Opens a run directory with the modules its config.json names, when they are safe to load (see
 * loadRunModules): `plugins` are the modules named with --plugin, `trust` loads any.
 */
export async function openRunDir(
  dir: string,
  plugins: readonly string[] = [],
  trust = false,
): Promise<Run> {
  const config = readRunConfig(dir);
  const { modules, envParams } = runInputs(dir, config, info);
  return loadRun(dir, await loadRunModules(modules, plugins, trust), { envParams });
}

/** For commands with RUN_DIR_FLAGS: checks --run, starts the backend and opens the run. */
export async function openRun(
  values: Record<string, FlagValue>,
  command: string,
): Promise<{ run: Run; backend: BackendInfo }> {
  const dir = values['run'] as string | undefined;
  if (!dir) throw new UserError(`gfn ${command}: --run DIR is required`);
  const backend = await startBackend((values['backend'] as string | undefined) ?? 'auto');
  const plugins = (values['plugin'] as string[] | undefined) ?? [];
  const run = await openRunDir(dir, plugins, values['trust'] === true);
  try {
    await modelCheckEnv(
      run.env,
      (values['check-limit'] as number | undefined) ?? (CHECK_LIMIT_FLAG.default as number),
      `gfn ${command} would use a broken env`,
    );
  } catch (err) {
    run.dispose();
    throw err;
  }
  return { run, backend };
}
