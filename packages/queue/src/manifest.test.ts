import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Manifest, codeVersion, mismatch, names, sha256 } from './manifest.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gfn-manifest-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    format: 'gflownet-ts/queue@1',
    key: 'k',
    code: codeVersion(),
    env: 'hypergrid',
    specs: {},
    oracle: null,
    actors: null,
    learner: 'host pid 1',
    ...over,
  };
}

describe('a worker checks the learner it would work for', () => {
  it('takes a learner with its own code version, env and oracle', () => {
    expect(
      mismatch(manifest(), { code: codeVersion(), actors: true, env: 'hypergrid' }),
    ).toBeNull();
    expect(codeVersion()).toMatch(/^@gflownet\/core \S+, @gflownet\/queue \S+$/);
  });

  it('refuses another code version, env or oracle, naming both sides', () => {
    const me = { code: codeVersion(), actors: true };
    expect(mismatch(manifest({ code: '@gflownet/core 9.9.9, @gflownet/queue 9.9.9' }), me)).toMatch(
      /the learner runs @gflownet\/core 9\.9\.9.* and this worker @gflownet\/core .*; install the same versions \(learner host pid 1\)/,
    );
    expect(mismatch(manifest(), { ...me, env: 'ising' })).toMatch(
      /started for env 'ising' and the learner trains 'hypergrid'/,
    );
    expect(
      mismatch(manifest({ oracle: 'command:dock-v2' }), { ...me, oracle: 'command:dock-v1' }),
    ).toMatch(/this worker's oracle is 'command:dock-v1' and the learner's 'command:dock-v2'/);
  });

  it("compares specs by content: the learner's file must be the same here", () => {
    const spec = join(dir, 'grid.gfn');
    writeFileSync(spec, 'env a\n');
    const m = manifest({
      env: 'a',
      specs: { [spec]: sha256('env a\n') },
      actors: { key: 'k', config: {} as never, modules: [spec] },
    });
    expect(mismatch(m, { code: codeVersion(), actors: true, env: spec })).toBeNull();
    writeFileSync(spec, 'env a\nreward 2\n');
    expect(mismatch(m, { code: codeVersion(), actors: true })).toMatch(
      /the spec .*grid\.gfn here differs from the learner's/,
    );
    expect(mismatch(m, { code: codeVersion(), actors: true, env: spec })).toMatch(
      /this worker's spec .*grid\.gfn is not the learner's/,
    );
  });

  it('accepts only plain queue names', () => {
    expect(names('run-7').actorQueue).toBe('run-7-actors');
    expect(() => names('a:b')).toThrow(/--queue 'a:b': use 1 to 64 letters/);
  });
});
