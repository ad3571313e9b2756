import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileSpec, hasErrors } from '@gflownet/dsl';
import { envNameOf, scaffold } from './new-env.js';

const GFN = resolve(import.meta.dirname, '../bin/gfn.js');

describe('gfn new-env', () => {
  it('names the env after the package, as a spec identifier', () => {
    expect(envNameOf('demo')).toBe('demo');
    expect(envNameOf('env-knapsack')).toBe('knapsack');
    expect(envNameOf('@me/env-bag-2')).toBe('bag_2');
    expect(envNameOf('@me/3d.grid')).toBe('_3d_grid');
  });

  it('writes a spec that compiles, and a module and test that use its env name', () => {
    const files = scaffold('@me/env-bag', 'bag');
    expect(Object.keys(files).sort()).toEqual(
      [
        'LICENSE',
        'README.md',
        'bag.gfn',
        'index.d.ts',
        'index.js',
        'package.json',
        'test/bag.test.js',
      ].sort(),
    );
    const compiled = compileSpec(files['bag.gfn']!, { file: 'bag.gfn' });
    expect(hasErrors(compiled.diagnostics)).toBe(false);
    expect(compiled.EnvClass?.specName).toBe('bag');
    const pkg = JSON.parse(files['package.json']!) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: '@me/env-bag',
      type: 'module',
      scripts: { test: 'node --test test/' },
    });
    expect(files['test/bag.test.js']).toContain("env: 'bag'");
    expect(files['index.js']).toContain("new URL('./bag.gfn', import.meta.url)");
  });

  it('refuses a bad package name and a directory that is not empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gfn-new-env-'));
    try {
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [GFN, 'new-env', ...args], { cwd: dir, encoding: 'utf8' });
      const bad = run('Bad Name');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("'Bad Name' is not a valid npm package name");
      mkdirSync(join(dir, 'demo'));
      writeFileSync(join(dir, 'demo', 'keep.txt'), 'x');
      const taken = run('demo');
      expect(taken.status).toBe(2);
      expect(taken.stderr).toContain('exists and is not empty');
      const ok = run('env-fresh');
      expect(ok.status).toBe(0);
      expect(ok.stderr).toContain('created env-fresh/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
