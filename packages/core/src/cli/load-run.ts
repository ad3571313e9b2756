import { type Run, createRun } from '../di/run.js';
import { loadPluginModule } from './modules.js';
import { readRunDir } from './run-dir.js';

/** Rebuilds a trained run (env, loss, model with its weights) from its run directory. */
export async function loadRun(dir: string): Promise<Run> {
  const { config, model } = readRunDir(dir);
  const modules = await Promise.all(config.modules.map(loadPluginModule));
  return createRun(config, modules, model);
}
