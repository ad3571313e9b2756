#!/usr/bin/env node
/**
 * Writes docs/api.md: every entry point of every package (its `exports` map) with each name it
 * exports, the kind of the name and the first sentence of its doc comment, read from the sources
 * with the TypeScript compiler. `node scripts/api-docs.mjs --check` exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import prettier from 'prettier';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const PACKAGES = ['core', 'dsl', 'env-hypergrid', 'env-molecule', 'env-zoo', 'queue', 'cli'];

/** The source file behind an exports entry: ./dist/x/index.js -> src/x/index.ts. */
function sourceOf(dir, target) {
  return join(dir, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
}

const entries = [];
for (const name of PACKAGES) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [sub, value] of Object.entries(manifest.exports)) {
    if (sub.endsWith('package.json')) continue;
    const target = typeof value === 'string' ? value : value.default;
    entries.push({ specifier: join(manifest.name, sub), file: sourceOf(dir, target) });
  }
}

const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  },
);
const checker = program.getTypeChecker();

function kindOf(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  const kinds = [];
  if (f & ts.SymbolFlags.Class) kinds.push('class');
  else if (f & ts.SymbolFlags.Function) kinds.push('function');
  else if (f & ts.SymbolFlags.Variable) kinds.push('const');
  if (f & ts.SymbolFlags.Interface) kinds.push('interface');
  if (f & ts.SymbolFlags.TypeAlias) kinds.push('type');
  if (f & ts.SymbolFlags.Enum) kinds.push('enum');
  if (kinds.length === 0 && f & ts.SymbolFlags.Module) kinds.push('namespace');
  return { kinds, target };
}

/** The first sentence of a doc comment (its first paragraph, cut short when long). */
function summary(symbol) {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  if (!text) return '';
  const first = text.split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
  const sentence = first.match(/^.*?(?<!\be\.g|\bi\.e)\.(\s|$)/);
  let out = sentence ? sentence[0].trim() : first;
  if (out.length > 220) out = `${out.slice(0, 217).replace(/\s+\S*$/, '')}...`;
  return out.replace(/\|/g, '\\|');
}

/** The package a symbol is declared in when that is not this repository's code. */
function externalPackage(symbol) {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
  const m = file.match(/node_modules\/((@[^/]+\/)?[^/]+)\/(?!.*node_modules)/);
  return m && !m[1].startsWith('@gflownet/') ? m[1] : null;
}

const lines = [
  '# Public API',
  '',
  'Every entry point of every package, with the names it exports. Generated from the sources',
  '(`node scripts/api-docs.mjs`; the test command fails when this file is out of date). A root',
  'entry point is the stable API of its package; subpath entries hold the building blocks.',
  '',
];
for (const { specifier, file } of entries) {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot read ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const fileDoc = source.statements.length
    ? ts
        .getLeadingCommentRanges(source.text, source.statements[0].getFullStart())
        ?.map((r) => source.text.slice(r.pos, r.end))
        .find((c) => c.startsWith('/**'))
    : undefined;
  lines.push(`## \`${specifier}\``, '');
  if (fileDoc) {
    lines.push(
      fileDoc
        .replace(/^\/\*\*|\*\/$/g, '')
        .split('\n')
        .map((l) => l.replace(/^\s*\* ?/, ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
      '',
    );
  }
  const external = new Map();
  const rows = [];
  for (const symbol of [...exported].sort((a, b) => a.name.localeCompare(b.name))) {
    const { kinds, target } = kindOf(symbol);
    const from = externalPackage(target);
    // Names that a package passes on from a dependency wholesale (tfjs) are counted, not listed.
    if (from && !from.startsWith('@inversifyjs/')) {
      const label = from.startsWith('@tensorflow/') ? 'TensorFlow.js (@tensorflow/tfjs)' : from;
      external.set(label, (external.get(label) ?? 0) + 1);
      continue;
    }
    rows.push(`| \`${symbol.name}\` | ${kinds.join(', ')} | ${summary(target)} |`);
  }
  if (rows.length > 0) lines.push('| name | kind | what it is |', '| --- | --- | --- |', ...rows);
  for (const [from, count] of external) lines.push(`Re-exports ${count} names of ${from}.`);
  lines.push('');
}
const out = join(root, 'docs/api.md');
const text = await prettier.format(lines.join('\n'), {
  ...(await prettier.resolveConfig(out)),
  parser: 'markdown',
});
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('docs/api.md is out of date: run node scripts/api-docs.mjs');
    process.exit(1);
  }
  console.log('docs/api.md is up to date');
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
