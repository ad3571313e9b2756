#!/usr/bin/env node
/**
 * Packs every workspace package as it would be published and checks the tarballs: publint
 * (strict: warnings count as errors) and this project's own rules: a README and a LICENSE, every
 * `exports` entry with `types` and both files in the tarball, the `bin` files, `engines.node`,
 * no `workspace:` protocol left, env packages taking @gflownet/core as a peer dependency, a
 * `gflownet.module` (what the CLI loads) that is in the tarball, and a core that is a library
 * only: no bin, and no file that names the dsl, the CLI or an env package.
 * Prints one line per package and every problem; exits 1 when there is any.
 *
 *   node scripts/check-packages.mjs [--keep DIR]   (DIR keeps the tarballs)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(import.meta.dirname, '..');
const keepAt = process.argv.indexOf('--keep');
const outDir =
  keepAt > 0 ? resolve(process.argv[keepAt + 1]) : mkdtempSync(join(tmpdir(), 'gfn-pack-'));
const PACKAGES = ['core', 'dsl', 'env-hypergrid', 'env-molecule', 'env-zoo', 'queue', 'cli'];

/** Packs a package with pnpm (which rewrites workspace: versions) and returns the tarball path. */
function pack(dir) {
  const out = execFileSync('npx', ['--yes', 'pnpm@10.34.9', 'pack', '--pack-destination', outDir], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = out.trim().split('\n').at(-1).trim();
  return name.startsWith('/') ? name : join(outDir, name.split('/').at(-1));
}

function listTarball(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));
}

function packedManifest(tarball) {
  return JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  );
}

/** Every file an `exports` map points at, with a note when a conditional entry lacks `types`. */
function exportTargets(exports, problems) {
  const targets = [];
  for (const [entry, value] of Object.entries(exports ?? {})) {
    if (typeof value === 'string') {
      if (!entry.endsWith('package.json'))
        problems.push(`exports['${entry}'] has no types condition`);
      targets.push(value);
      continue;
    }
    if (!value.types) problems.push(`exports['${entry}'] has no types condition`);
    else if (Object.keys(value)[0] !== 'types')
      problems.push(`exports['${entry}']: types must come first`);
    targets.push(...Object.values(value));
  }
  return targets;
}

let failed = 0;
for (const name of PACKAGES) {
  const dir = join(root, 'packages', name);
  const problems = [];
  const tarball = pack(dir);
  const files = new Set(listTarball(tarball));
  const manifest = packedManifest(tarball);
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!files.has(required)) problems.push(`${required} is not in the tarball`);
  }
  for (const target of exportTargets(manifest.exports, problems)) {
    if (!files.has(target.replace(/^\.\//, '')))
      problems.push(`exports target ${target} is not in the tarball`);
  }
  for (const bin of Object.values(manifest.bin ?? {})) {
    if (!files.has(bin.replace(/^\.\//, ''))) problems.push(`bin ${bin} is not in the tarball`);
  }
  if (!manifest.engines?.node) problems.push('engines.node is missing');
  if ([...files].some((f) => /\.test\.(js|d\.ts)$/.test(f)))
    problems.push('test files are in the tarball');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        problems.push(`${field}.${dep} is still ${range}`);
    }
  }
  if (name.startsWith('env-') && !manifest.peerDependencies?.['@gflownet/core']) {
    problems.push('an env package must take @gflownet/core as a peer dependency');
  }
  if (manifest.gflownet && !files.has(String(manifest.gflownet.module).replace(/^\.\//, ''))) {
    problems.push(`gflownet.module ${manifest.gflownet.module} is not in the tarball`);
  }
  if (name === 'core') {
    if (manifest.bin) problems.push('core must not have a bin (the gfn command is @gflownet/cli)');
    const text = execFileSync('tar', ['-xzOf', tarball, '--wildcards', 'package/dist/*.js'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    for (const other of ['@gflownet/dsl', '@gflownet/cli', '@gflownet/env-']) {
      if (text.includes(other)) problems.push(`core's code names ${other}`);
    }
  }
  const bytes = readFileSync(tarball);
  const lint = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    strict: true,
    level: 'warning',
  });
  for (const m of lint.messages) problems.push(`publint: ${formatMessage(m, manifest) ?? m.code}`);
  const label = `${manifest.name}@${manifest.version}`;
  if (problems.length === 0) {
    console.log(`ok   ${label} (${files.size} files)`);
  } else {
    failed += 1;
    console.log(`FAIL ${label}`);
    for (const p of problems) console.log(`     ${p}`);
  }
}
if (keepAt < 0) rmSync(outDir, { recursive: true, force: true });
else console.log(`tarballs in ${outDir}: ${readdirSync(outDir).join(', ')}`);
process.exit(failed > 0 ? 1 : 0);
