import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let registered: Promise<void> | null = null;

/**
 * Lets a plugin file live anywhere, with no node_modules of its own: imports of the host's
 * packages (@gflownet/*, @tensorflow/*, inversify, reflect-metadata) that the plugin's folder
 * cannot resolve resolve to the CLI's own copies (or the working directory's project's), so the plugin shares the host's registry
 * tokens and tensor backend. TypeScript plugins load through tsx's loader. Registered once, on
 * the first plugin import.
 */
export function registerPluginHooks(): Promise<void> {
  registered ??= (async () => {
    const fallbacks = [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href];
    register('./host-resolve-hook.js', import.meta.url, { data: { fallbacks } });
    const tsx = await import('tsx/esm/api');
    tsx.register();
  })();
  return registered;
}
