import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allHelp, cliReference } from './app.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('the CLI reference', () => {
  it('covers every command, the molecule commands included', async () => {
    const commands = (await allHelp()).map((h) => h.command);
    for (const c of [
      'gfn',
      'gfn train',
      'gfn sample',
      'gfn eval',
      'gfn check',
      'gfn plugins',
      'gfn report',
      'gfn new-env',
      'gfn molecule',
      'gfn molecule score',
      'gfn molecule draw',
      'gfn molecule train-proxy',
    ]) {
      expect(commands).toContain(c);
    }
  });

  it('in docs/cli.md is the one the --help texts make (pnpm docs:cli rewrites it)', async () => {
    expect(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8')).toBe(await cliReference());
  });
});
