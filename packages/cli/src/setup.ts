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
