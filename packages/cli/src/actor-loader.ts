/**
 * The module loader of actor threads (`gfn train --workers N`): loads the run's modules the way
 * the CLI does (installed packages, paths, TypeScript plugins, .gfn specs with their externs).
 */
import type { ModuleLoader } from '@gflownet/core';
import { loadModules } from './discover.js';

const load: ModuleLoader = async (specifiers) =>
  (await loadModules(specifiers)).map((m) => m.module);

export default load;

/** Where this loader is, for createRun's `loader` option. */
export const ACTOR_LOADER = import.meta.url;
