import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '@gflownet/core';

/**
 * Where a new run writes. A fresh directory is used at once. With `force`, an existing run is
 * replaced only once the new one has produced its first checkpoint: until `commit`, the new run
 * lives in a sibling staging directory and the old one is untouched, and `discard` removes the
 * staging directory of a run that failed before that.
 */
export interface RunDirTarget {
  /** Where the run's files go now (the staging directory until commit). */
  readonly current: string;
  /** Where the run will live. */
  readonly final: string;
  /** Moves the staged run into place (the old one is removed); no-op without staging. */
  commit(): void;
  /** Removes a staged run that never committed. */
  discard(): void;
}

/** A new run directory for `gfn train`, refusing to mix a new run into an old one. */
export function newRunDir(out: string | undefined, force: boolean, name: string): RunDirTarget {
  if (out === undefined) return direct(uniqueDir(join('runs', name)));
  const final = resolve(out);
  if (existsSync(final)) {
    if (!statSync(final).isDirectory()) {
      throw new UserError(`--out: '${out}' is a file, not a directory`);
    }
    if (readdirSync(final).length > 0) {
      if (!force) {
        throw new UserError(
          `--out: '${out}' is not empty; continue the run in it with --resume ${out}, ` +
            'replace it with --force, or choose another directory',
        );
      }
      return staged(final);
    }
  }
  makeDir(final, out);
  return direct(final);
}

function direct(dir: string): RunDirTarget {
  return { current: dir, final: dir, commit: () => {}, discard: () => {} };
}

function staged(final: string): RunDirTarget {
  const staging = join(dirname(final), `.${basename(final)}.new-${process.pid}`);
  makeDir(staging, staging);
  let committed = false;
  const target = {
    current: staging,
    final,
    commit() {
      if (committed) return;
      const old = join(dirname(final), `.${basename(final)}.old-${process.pid}`);
      renameSync(final, old);
      renameSync(staging, final);
      target.current = final;
      committed = true;
      rmSync(old, { recursive: true, force: true });
    },
    discard() {
      if (!committed) rmSync(staging, { recursive: true, force: true });
    },
  };
  return target;
}

/** `base`, or `base-2`, `base-3`, ...: the first that this process creates (never shared). */
function uniqueDir(base: string): string {
  makeDir(dirname(base), dirname(base));
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw asUserError(err, dir);
    }
  }
}

function makeDir(dir: string, shown: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw asUserError(err, shown);
  }
}

function asUserError(err: unknown, dir: string): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a file is in the way'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : String((err as Error).message);
  return new UserError(`cannot create the run directory '${dir}': ${why}`);
}

/**
 * Claims `dir` for this process (a `.lock` file holding its pid, created exclusively), so that
 * two processes never write one directory. A lock whose process is gone is taken over. Returns
 * the release, which the process also runs when it exits.
 */
export function lockDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError(
          `'${dir}' is in use by process ${pid} (its .lock); wait for it or stop it`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  const release = () => {
    try {
      if (readFileSync(path, 'utf8') === String(process.pid)) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
