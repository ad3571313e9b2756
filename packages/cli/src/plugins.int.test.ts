import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runGfn } from './test-support/gfn-process.js';

// Plugins loaded from folders outside the repository, with no node_modules of their own.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-plugins-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gfn = (...args: string[]) => runGfn(dir, args);

const SMALL = ['--height', '4', '--iterations', '20', '--batch-size', '16', '--eval-samples', '0'];

describe('plugins from anywhere', () => {
  it('trains with the contrastive-balance example copied alone into an empty folder', () => {
    const plugin = join(dir, 'cb');
    cpSync(join(ROOT, 'examples/plugin-contrastive-balance'), plugin, { recursive: true });
    const r = gfn(
      'train',
      '--plugin',
      join(plugin, 'index.js'),
      '--loss',
      'cb',
      ...SMALL,
      '--out',
      'run-cb',
      '--quiet',
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trained hypergrid with cb');
    const config = JSON.parse(readFileSync(join(dir, 'run-cb/config.json'), 'utf8')) as {
      modules: string[];
    };
    expect(config.modules).toContain(join(plugin, 'index.js'));
    // The saved run opens again with the plugin it names, when the user names it too.
    const refused = gfn('eval', '--run', 'run-cb', '--samples', '100');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('opening it would run that module');
    const e = gfn(
      'eval',
      '--run',
      'run-cb',
      '--samples',
      '100',
      '--plugin',
      join(plugin, 'index.js'),
    );
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).loss).toBe('cb');
  });

  it('loads a TypeScript plugin as it is, and its options', () => {
    const plugin = join(dir, 'huber');
    cpSync(join(ROOT, 'examples/plugin-huber-penalty'), plugin, { recursive: true });
    const r = gfn(
      'train',
      '--plugin',
      join(plugin, 'index.ts'),
      '--penalty',
      'huber:delta=0.5',
      ...SMALL,
      '--out',
      'run-huber',
      '--quiet',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('l1_exact');
    const listing = gfn('plugins', '--plugin', join(plugin, 'index.ts'));
    expect(listing.stdout).toContain('huber');
    expect(listing.stdout).toContain('delta: float, where the penalty turns linear');
    const bad = gfn(
      'train',
      '--plugin',
      join(plugin, 'index.ts'),
      '--penalty',
      'huber:delta=0',
      ...SMALL,
      '--quiet',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--penalty (huber option 'delta'): 0 is out of range");
  });

  it('refuses a plugin that registers a name a built-in already has, naming both', () => {
    const file = join(dir, 'clash.mjs');
    writeFileSync(
      file,
      `import { ContainerModule, LossPlugin } from '@gflownet/core';
export default new ContainerModule(({ bind }) => {
  bind(LossPlugin).toConstantValue({ name: 'tb', description: 'not the real one', create: () => null });
});
`,
    );
    const r = gfn('train', '--plugin', file, ...SMALL, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `loss 'tb' from ${file} clashes with the loss of that name from built-in`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which module failed to load and why', () => {
    const file = join(dir, 'broken.ts');
    writeFileSync(
      file,
      "import { nothing } from '@gflownet/core/nowhere';\nexport default nothing;\n",
    );
    const r = gfn('train', '--plugin', file, ...SMALL, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`could not load plugin module '${file}'`);
  });
});
