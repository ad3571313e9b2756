import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Installs the packed packages as a user would: pnpm pack (through the package check, which also
// validates the tarballs), then npm install of the tarballs into an empty directory outside the
// workspace, then the CLI from that directory's node_modules only. Needs the npm registry for
// third-party dependencies (tfjs, inversify, chevrotain, RDKit).
const ROOT = resolve(import.meta.dirname, '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let dir: string;
let tarballs: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-install-'));
  const packs = join(dir, 'tarballs');
  execFileSync(process.execPath, [join(ROOT, 'scripts/check-packages.mjs'), '--keep', packs], {
    stdio: 'pipe',
  });
  tarballs = readdirSync(packs).map((f) => join(packs, f));
  const project = join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
    cwd: project,
    stdio: 'pipe',
    timeout: 600_000,
  });
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npx(...args: string[]) {
  const r = spawnSync('npx', ['--no-install', ...args], {
    cwd: join(dir, 'project'),
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the packages installed from tarballs', () => {
  it('packs all seven packages', () => {
    expect(
      tarballs
        .map((t) =>
          t
            .split('/')
            .at(-1)!
            .replace(/-\d+\.\d+\.\d+\.tgz$/, ''),
        )
        .sort(),
    ).toEqual([
      'gflownet-cli',
      'gflownet-core',
      'gflownet-dsl',
      'gflownet-env-hypergrid',
      'gflownet-env-molecule',
      'gflownet-env-zoo',
      'gflownet-queue',
    ]);
  });

  it('train on an env package by its npm name, then sample from the run', () => {
    const t = npx(
      'gfn',
      'train',
      '--env',
      '@gflownet/env-hypergrid',
      '--ndim',
      '2',
      '--height',
      '8',
      '--iterations',
      '100',
      '--batch-size',
      '64',
      '--eval-samples',
      '0',
      '--quiet',
      '--out',
      'run',
    );
    expect(t.stderr).not.toMatch(/\n\s+at /);
    expect(t.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'project/run/summary.json'), 'utf8')) as {
      env: string;
      l1_exact: number;
    };
    expect(summary.env).toBe('hypergrid');
    expect(summary.l1_exact).toBeLessThan(0.4);
    const s = npx('gfn', 'sample', '--run', 'run', '-n', '5');
    expect(s.code).toBe(0);
    expect(s.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('train on a zoo env by name, and check its installed spec', () => {
    const t = npx(
      ...['gfn', 'train', '--env', 'mis', '--iterations', '30', '--eval-samples', '0'],
      ...['--quiet', '--out', 'run-mis'],
    );
    expect(t.stderr).not.toMatch(/\n\s+at /);
    expect(t.code).toBe(0);
    const spec = join(dir, 'project/node_modules/@gflownet/env-zoo/specs/phylo.gfn');
    const c = npx('gfn', 'check', spec, '--plugin', '@gflownet/env-zoo');
    expect(c.stdout).toContain('ok: no violations');
  });

  it('train on a .gfn spec file with the installed spec compiler', () => {
    copyFileSync(join(ROOT, 'examples/subset.gfn'), join(dir, 'project/subset.gfn'));
    const t = npx('gfn', 'train', 'subset.gfn', '--iterations', '50', '--batch-size', '32');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/l1_exact \d/);
    expect(npx('gfn', 'check', 'subset.gfn').stdout).toContain('ok: no violations');
  });

  it('train on molecules with the installed RDKit', () => {
    const t = npx(
      'gfn',
      'train',
      '--env',
      'molecule',
      '--iterations',
      '2',
      '--batch-size',
      '4',
      '--hidden',
      '32',
      '--quiet',
    );
    expect(t.stderr).not.toMatch(/\n\s+at /);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('sampled during training: molecules 8');
  });

  it('scaffold an env package that passes its own test and trains out of the box', () => {
    const made = npx('gfn', 'new-env', 'demo');
    expect(made.code).toBe(0);
    const test = spawnSync('npm', ['test'], {
      cwd: join(dir, 'project/demo'),
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(test.stdout).toMatch(/# pass 3/);
    expect(test.status).toBe(0);
    const t = npx(
      'gfn',
      'train',
      '--env',
      './demo',
      '--iterations',
      '100',
      '--quiet',
      '--eval-samples',
      '0',
      '--out',
      'demo-run',
    );
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('trained demo with tb');
    // The run names ./demo by path: opening it imports that code only when named again.
    const refused = npx('gfn', 'report', 'demo-run');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--plugin ${join(dir, 'project/demo')}`);
    const r = npx('gfn', 'report', 'demo-run', '--plugin', './demo');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'project/demo-run/report.html'), 'utf8')).toContain(
      '<figure id="loss">',
    );
  });

  it('load a plugin from a folder outside the project, with no node_modules of its own', () => {
    const plugin = join(dir, 'elsewhere/cb');
    cpSync(join(ROOT, 'examples/plugin-contrastive-balance'), plugin, { recursive: true });
    const t = npx(
      'gfn',
      'train',
      '--plugin',
      join(plugin, 'index.js'),
      '--loss',
      'cb',
      '--height',
      '4',
      '--iterations',
      '20',
      '--quiet',
      '--eval-samples',
      '0',
      '--out',
      'cb-run',
    );
    expect(t.stderr).not.toMatch(/\n\s+at /);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('trained hypergrid with cb');
  });

  // skipLibCheck as most projects set it: tfjs-layers' own declarations fail strict checks.
  it('ship type declarations that a strict TypeScript project compiles against', () => {
    const file = join(dir, 'project/use.ts');
    writeFileSync(
      file,
      [
        "import { type DiscreteEnv, createRun } from '@gflownet/core';",
        "import { assertConformance } from '@gflownet/core/testing';",
        "import { compileSpec } from '@gflownet/dsl';",
        "import { HypergridEnv, hypergridModule } from '@gflownet/env-hypergrid';",
        "import { FragmentsEnv, QedCalculator } from '@gflownet/env-molecule';",
        'const env: DiscreteEnv = new HypergridEnv({ ndim: 2, height: 8, r0: 0.1, r1: 0.5, r2: 2 });',
        "const run = await createRun({ env: 'hypergrid', loss: 'db' }, [hypergridModule]);",
        'const report = await assertConformance(env);',
        'export const used = [env, run.train, report.statesChecked, compileSpec, FragmentsEnv, QedCalculator];',
        '',
      ].join('\n'),
    );
    const r = spawnSync(
      process.execPath,
      [
        TSC,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        file,
      ],
      { cwd: join(dir, 'project'), encoding: 'utf8' },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
