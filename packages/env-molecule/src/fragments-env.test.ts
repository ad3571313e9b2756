import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, UserError } from '@gflownet/core';
import { type RDKit, canonicalSmiles, loadRDKit } from './chem/rdkit.js';
import { FragmentsEnv } from './fragments-env.js';
import { checkEdgesInto } from './testing/helpers.js';
import {
  DEFAULT_FRAGMENTS,
  type Fragment,
  defaultVocabulary,
  prepareVocabulary,
  readVocabularyFile,
} from './fragments/vocabulary.js';

let rdkit: RDKit;
let vocab: Fragment[];
let env: FragmentsEnv;
beforeAll(async () => {
  rdkit = await loadRDKit();
  vocab = defaultVocabulary(rdkit);
  env = new FragmentsEnv(rdkit, { fragments: vocab, logReward: (s) => new Float64Array(s.length) });
});

const F = () => vocab.length;
const fragment = (name: string) => vocab.findIndex((f) => f.name === name);

/** Applies forward actions from s0; returns the states visited. */
function walk(actions: number[]): Int32Array[] {
  const out = [env.initialState.slice()];
  for (const a of actions) {
    const next = new Int32Array(env.stateDim);
    env.step(out.at(-1)!, Int32Array.of(a), 1, next);
    out.push(next);
  }
  return out;
}

function mask(state: Int32Array): Uint8Array {
  const m = new Uint8Array(env.numActions);
  env.forwardMask(state, 1, m);
  return m;
}

describe('default fragment vocabulary', () => {
  it('has 50 to 100 distinct drug-like fragments, each with an anchor', () => {
    expect(vocab.length).toBeGreaterThanOrEqual(50);
    expect(vocab.length).toBeLessThanOrEqual(100);
    expect(new Set(vocab.map((f) => f.name)).size).toBe(vocab.length);
    expect(new Set(vocab.map((f) => f.anchored)).size).toBe(vocab.length);
    for (const f of vocab) {
      expect(f.attachments).toBeGreaterThanOrEqual(1);
      expect(f.anchored).toContain('[1*]');
      // With the attachment points as hydrogens, every fragment is a valid molecule.
      expect(canonicalSmiles(rdkit, f.plain.replaceAll('*', '[H]'))).not.toBeNull();
    }
    expect(DEFAULT_FRAGMENTS.length).toBe(vocab.length);
  });

  it('is documented in the package README, entry by entry', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    for (const f of vocab) {
      expect(readme).toMatch(
        new RegExp(`\\| \`${escape(f.smiles)}\` +\\| ${escape(f.name)} +\\| ${f.attachments} +\\|`),
      );
    }
    const count = (k: number) => vocab.filter((f) => f.attachments === k).length;
    expect(readme).toContain(
      `${vocab.length} fragments: ${count(1)} caps (one attachment point), ${count(2)} linkers (two) and ${count(3)} branch points (three).`,
    );
  });
});

describe('fragments env', () => {
  it('reaches one state by every build order of a molecule, with each distinct parent once', () => {
    const stem0 = (f: number) => 0 * F() + f;
    const [phenylene, methyl, fluoro] = [
      fragment('1,4-phenylene'),
      fragment('methyl'),
      fragment('fluoro'),
    ];
    const orders = [
      [phenylene, stem0(methyl), stem0(fluoro)],
      [phenylene, stem0(fluoro), stem0(methyl)],
      [methyl, stem0(phenylene), stem0(fluoro)],
      [fluoro, stem0(phenylene), stem0(methyl)],
    ];
    const finals = orders.map((o) => walk(o).at(-1)!);
    const keys = finals.map((s) => env.canonicalKey(s));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe('3|Cc1ccc(F)cc1');
    expect(env.smiles(finals[0]!, 1)).toEqual(['Cc1ccc(F)cc1']);
    const parents = env.parents(finals[0]!);
    const parentKeys = Array.from({ length: parents.actions.length }, (_, j) =>
      env.canonicalKey(parents.states.subarray(j * env.stateDim, (j + 1) * env.stateDim)),
    ).sort();
    expect(parentKeys).toEqual(['2|*c1ccc(C)cc1', '2|*c1ccc(F)cc1']);
    const b = new Uint8Array(env.numBackwardActions);
    env.backwardMask(finals[0]!, 1, b);
    expect(b.reduce((s, x) => s + x, 0)).toBe(2);
  });

  it('allows one action per class of symmetric attachment points, exit from 2 fragments', () => {
    const [s0, s1] = walk([fragment('1,4-phenylene')]);
    expect(mask(s0!)[env.exitAction]).toBe(0);
    const m = mask(s1!);
    expect(m[env.exitAction]).toBe(0); // one fragment: not yet a molecule
    expect(m[fragment('methyl')]).toBe(1); // stem 0
    expect(m[F() + fragment('methyl')]).toBe(0); // stem 1 is its mirror image
    const [, , s2] = walk([fragment('1,4-phenylene'), fragment('methyl')]);
    expect(mask(s2!)[env.exitAction]).toBe(1);
  });

  it('lists every edge into a state when two actions of one parent reach it', () => {
    // An amide attached C-first at one attachment point of an amide, or N-first at the other,
    // makes the same molecule.
    const [, s1] = walk([fragment('carboxamide (C-anchored)')]);
    expect(env.canonicalKey(s1!)).toBe('1|*NC(*)=O');
    const m = mask(s1!);
    const byChild = new Map<string, number[]>();
    for (const a of m.keys()) {
      if (!m[a] || a === env.exitAction) continue;
      const child = new Int32Array(env.stateDim);
      env.step(s1!, Int32Array.of(a), 1, child);
      const key = env.canonicalKey(child);
      byChild.set(key, [...(byChild.get(key) ?? []), a]);
    }
    const twice = [...byChild].filter(([, actions]) => actions.length > 1);
    expect(twice.map(([key]) => key)).toContain('2|*NC(=O)NC(*)=O');
    for (const [key, actions] of twice) {
      const child = walk([fragment('carboxamide (C-anchored)'), actions[0]!]).at(-1)!;
      expect(env.canonicalKey(child)).toBe(key);
      const ps = env.parents(child);
      const fromS1 = [...ps.actions].filter(
        (_, j) => env.canonicalKey(ps.states.subarray(j * env.stateDim)) === '1|*NC(*)=O',
      );
      expect(fromS1.sort((a, b) => a - b)).toEqual(actions);
    }
  });

  it('masks attachments beyond the fragment limit', () => {
    const small = new FragmentsEnv(rdkit, {
      fragments: vocab,
      maxFragments: 3,
      logReward: (s) => new Float64Array(s.length),
    });
    const states = [small.initialState.slice()];
    for (const a of [fragment('1,4-phenylene'), fragment('1,4-phenylene'), fragment('methyl')]) {
      const next = new Int32Array(small.stateDim);
      small.step(states.at(-1)!, Int32Array.of(a), 1, next);
      states.push(next);
    }
    const m = new Uint8Array(small.numActions);
    small.forwardMask(states.at(-1)!, 1, m);
    expect([...m.keys()].filter((a) => m[a])).toEqual([small.exitAction]);
    expect(small.smiles(states.at(-1)!, 1)).toEqual(['Cc1ccc(-c2ccccc2)cc1']);
  });

  it('on random trajectories: valid molecules, steps and backward steps invert, parents agree', () => {
    const rng = new Rng(3);
    const D = env.stateDim;
    const features = new Float32Array(env.featureDim);
    let steps = 0;
    for (let t = 0; t < 40; t++) {
      let s = env.initialState.slice();
      for (;;) {
        const m = mask(s);
        const allowed = [...m.keys()].filter((a) => m[a]);
        // Prefer growing, so that long molecules are covered too.
        const grow = allowed.filter((a) => a !== env.exitAction);
        const canExit = m[env.exitAction] === 1;
        const a =
          grow.length > 0 && (!canExit || rng.next() < 0.85)
            ? grow[rng.int(grow.length)]!
            : env.exitAction;
        if (a === env.exitAction) break;
        const child = new Int32Array(D);
        env.step(s, Int32Array.of(a), 1, child);
        steps += 1;
        const back = new Int32Array(1);
        env.backwardActionOf(s, Int32Array.of(a), 1, back);
        const parent = new Int32Array(D);
        env.backwardStep(child, back, 1, parent);
        expect(env.canonicalKey(parent)).toBe(env.canonicalKey(s));
        const fwd = new Int32Array(1);
        env.forwardActionOf(child, back, 1, fwd);
        expect(fwd[0]).toBe(a);
        const ps = env.parents(child);
        const parentKeys = Array.from({ length: ps.actions.length }, (_, j) =>
          env.canonicalKey(ps.states.subarray(j * D, (j + 1) * D)),
        );
        expect(parentKeys).toContain(env.canonicalKey(s));
        checkEdgesInto(env, child);
        s = child;
      }
      const [smiles] = env.smiles(s, 1);
      expect(canonicalSmiles(rdkit, smiles!)).toBe(smiles);
      env.featurize(s, 1, features);
      expect(features.every(Number.isFinite)).toBe(true);
    }
    expect(steps).toBeGreaterThan(100);
  });
});

describe('vocabulary files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gfn-vocab-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const error = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return (err as Error).message;
    }
    throw new Error('no error');
  };

  it('reads fragments with names, comments and blank lines', () => {
    const path = file('ok.txt', '# my fragments\n*C methyl\n\n*c1ccc(*)cc1 para phenylene\n*O\n');
    const v = readVocabularyFile(rdkit, path);
    expect(v.map((f) => f.name)).toEqual(['methyl', 'para phenylene', '*O']);
    expect(v[1]!.attachments).toBe(2);
  });

  it('rejects a corrupt file with the line and the reason', () => {
    const cases: [string, string | Buffer, string][] = [
      ['bad-smiles.txt', '*C\n*C(((\n', "bad-smiles.txt:2: '*C(((' is not a valid SMILES"],
      ['no-anchor.txt', 'CCO\n', "no-anchor.txt:1: 'CCO' has no attachment point"],
      [
        'double.txt',
        '*C\n*=C\n',
        "double.txt:2: in '*=C' each attachment point must be a * with one single bond",
      ],
      ['two-parts.txt', '*C.CC\n', "two-parts.txt:1: '*C.CC' is not one connected fragment"],
      ['duplicate.txt', '*C\nC*\n', "duplicate.txt:2: 'C*' is the same fragment"],
      ['empty.txt', '# nothing\n\n', 'empty.txt: no fragments'],
      ['binary.bin', Buffer.from([0, 1, 2, 255, 0, 42]), 'binary.bin: not a text file'],
      ['huge.txt', `*${'C'.repeat(400)}\n`, 'huge.txt:1: fragment SMILES longer than'],
    ];
    for (const [name, content, message] of cases) {
      expect(error(() => readVocabularyFile(rdkit, file(name, content)))).toContain(message);
    }
    expect(error(() => readVocabularyFile(rdkit, join(dir, 'missing.txt')))).toContain(
      "fragment vocabulary '",
    );
    expect(error(() => prepareVocabulary(rdkit, [['*[Fe]', 'iron']]))).toContain('fragment 1: ');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
