import {
  BACKENDS,
  type BackendInfo,
  type BackendName,
  UserError,
  initBackend,
  listNames,
} from '@gflownet/core';

/** Writes informational lines to stderr so that stdout carries only results. */
export function info(text: string): void {
  process.stderr.write(`${text}\n`);
}

export async function startBackend(name: string | undefined): Promise<BackendInfo> {
  const preference = name === undefined || name === 'auto' ? undefined : (name as BackendName);
  if (preference !== undefined && !BACKENDS.includes(preference)) {
    throw new UserError(`--backend: '${name}' is not one of ${listNames(['auto', ...BACKENDS])}`);
  }
  const backend = await initBackend(preference);
  info(`backend: ${backend.name} (${backend.detail})`);
  return backend;
}

/**
 * SIGINT and SIGTERM abort the returned signal: the command stops after the `unit` under way
 * (and saves); a second one exits at once, with `kept` said of what is left.
 */
export function interruptions(
  unit: string,
  kept: string,
): { signal: AbortSignal; exitCode: () => number; dispose: () => void } {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`\n${sig} again: exiting now; ${kept}\n`);
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    received = sig;
    process.stderr.write(`\n${sig}: stopping after this ${unit} (again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === 'SIGTERM' ? 143 : 130),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
