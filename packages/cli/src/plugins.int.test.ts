import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The fenced code block of `doc` whose first line is `firstLine`. */
function docBlock(doc: string, firstLine: string): string {
  const at = doc.indexOf(`\n${firstLine}\n`);
  if (at < 0) throw new Error(`no code block starting with '${firstLine}'`);
  return doc.slice(at + 1, doc.indexOf('\n```', at));
}

describe('plugins from anywhere', () => {
  it('runs the extern plugin of docs/spec-language.md as written, from an empty folder', () => {
    const doc = readFileSync(join(ROOT, 'docs/spec-language.md'), 'utf8');
    const folder = join(dir, 'extern');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'gc.mjs'),
      docBlock(doc, '// gc.mjs: the fraction of G and C (letters 1 and 2) in a DNA sequence'),
    );
    writeFileSync(join(folder, 'dna.gfn'), docBlock(doc, '# dna.gfn'));
    const check = runGfn(folder, ['check', 'dna.gfn', '--plugin', './gc.mjs']);
    expect(check.stdout).toContain('ok: no violations');
    expect(check.code).toBe(0);
    const r = runGfn(folder, [
      ...['train', 'dna.gfn', '--plugin', './gc.mjs', '--iterations', '20'],
      ...['--eval-samples', '0', '--quiet', '--out', 'run'],
    ]);
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toContain('trained dna with');
  });

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
