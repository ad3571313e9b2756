import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@gflownet/core';
import { specLexer } from './syntax/lexer.js';
import { createSpecEnv } from './runtime/compile-spec.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SEEDS = [
  join(ROOT, 'packages', 'env-hypergrid', 'hypergrid.gfn'),
  ...readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.gfn'))
    .map((f) => join(ROOT, 'examples', f)),
].map((p) => readFileSync(p, 'utf8'));

const JUNK = [
  '$',
  '@',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '..',
  '"',
  '\\',
  '\u0000',
  'é',
  '\n',
  '#',
];
const HUGE = ['1e308', '99999999999999999999', '2147483648', '0.000000001', '1e-400', '4294967296'];

/** One mutation of a valid spec: token edits, random characters, huge numbers or deep nesting. */
function mutate(source: string, rng: Rng): string {
  const tokens = specLexer.tokenize(source).tokens;
  const pick = () => tokens[rng.int(tokens.length)]!;
  const splice = (start: number, end: number, text: string) =>
    source.slice(0, start) + text + source.slice(end);
  switch (rng.int(7)) {
    case 0: {
      const t = pick();
      return splice(t.startOffset, t.endOffset! + 1, '');
    }
    case 1: {
      const t = pick();
      return splice(t.startOffset, t.startOffset, `${t.image} `);
    }
    case 2: {
      const i = rng.int(tokens.length - 1);
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      return (
        source.slice(0, a.startOffset) +
        b.image +
        source.slice(a.endOffset! + 1, b.startOffset) +
        a.image +
        source.slice(b.endOffset! + 1)
      );
    }
    case 3: {
      const at = rng.int(source.length + 1);
      return splice(at, at, JUNK[rng.int(JUNK.length)]!);
    }
    case 4: {
      const numbers = tokens.filter((t) => t.tokenType.name === 'NumberLiteral');
      const t = numbers[rng.int(numbers.length)] ?? pick();
      return splice(t.startOffset, t.endOffset! + 1, HUGE[rng.int(HUGE.length)]!);
    }
    case 5: {
      const depth = [50, 300, 5_000][rng.int(3)]!;
      return `${source}\nlet deep = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`;
    }
    default: {
      const depth = [50, 300, 3_000][rng.int(3)]!;
      return `${source}\nlet long = 1${' + 1'.repeat(depth)}\n`;
    }
  }
}

describe('fuzzing the compiler with mutated specs', () => {
  it('compiles or returns diagnostics for 1,000 mutants, never throwing or hanging', () => {
    const rng = new Rng(2024);
    let compiled = 0;
    let rejected = 0;
    let slowest = 0;
    for (let k = 0; k < 1000; k++) {
      let source = SEEDS[k % SEEDS.length]!;
      for (let m = 1 + rng.int(3); m > 0; m--) source = mutate(source, rng);
      const start = performance.now();
      let result;
      try {
        result = createSpecEnv(source);
      } catch (err) {
        throw new Error(`mutant ${k} threw ${String(err)}:\n${source}`);
      }
      slowest = Math.max(slowest, performance.now() - start);
      if (result.env) compiled++;
      else {
        rejected++;
        expect(result.diagnostics.length).toBeGreaterThan(0);
        for (const d of result.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.code).toMatch(/^[EC]\d{3}$/);
        }
      }
    }
    expect(compiled + rejected).toBe(1000);
    expect(rejected).toBeGreaterThan(250);
    expect(compiled).toBeGreaterThan(25);
    // Generous bound per mutant: a hang or exponential blow-up would exceed it by far.
    expect(slowest).toBeLessThan(5_000);
  });
});
