import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry } from '@gflownet/core';
import { ROOT, runGfn } from './test-support/gfn-process.js';

// Runs the built CLI (the test command builds every package first) from the repository root.
const EXAMPLES = join(ROOT, 'examples');

const gfn = (...args: string[]) => runGfn(ROOT, args);

function expectUserError(r: { code: number; stderr: string }, ...fragments: string[]): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^gfn: error: /m);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const f of fragments) expect(r.stderr).toContain(f);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gfn train, sample and eval', () => {
  let runDir: string;
  let summary: Record<string, unknown>;

  beforeAll(() => {
    runDir = join(dir, 'run');
    const t = gfn(
      'train',
      '--env',
      'hypergrid',
      '--ndim',
      '2',
      '--height',
      '4',
      '--loss',
      'db',
      '--iterations',
      '30',
      '--batch-size',
      '16',
      '--eval-samples',
      '2000',
      '--backend',
      'wasm',
      '--out',
      runDir,
      '--quiet',
    );
    expect(t.stderr).toContain('backend: wasm');
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('l1_exact');
    summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  });

  it('writes a summary with the documented fields', () => {
    for (const key of [
      'env',
      'loss',
      'iterations',
      'trajectories',
      'seconds',
      'iterations_per_second',
      'backend',
      'l1_exact',
      'l1_mean_exact',
      'jsd_exact',
      'l1_sampled',
      'modes_found',
      'modes_total',
    ]) {
      expect(summary).toHaveProperty(key);
    }
    expect(summary['env']).toBe('hypergrid');
    expect(summary['loss']).toBe('db');
    expect(summary['backend']).toBe('wasm');
    expect(summary['iterations']).toBe(30);
    expect(summary['trajectories']).toBe(480);
    expect(summary['l1_mean_exact']).toBeCloseTo((summary['l1_exact'] as number) / 16, 10);
    // Counted by exploring the grid: at height 4 no coordinate falls in the mode band (0.3, 0.4).
    expect(summary['modes_total']).toBe(0);
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(metrics.filter((l) => l.includes('"kind":"step"'))).toHaveLength(30);
  });

  it('samples terminating states from the saved model, as named fields or raw ints', () => {
    const out = join(dir, 'samples.jsonl');
    const r = gfn('sample', '--run', runDir, '-n', '50', '--out', out);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(50);
    for (const line of lines) {
      // hypergrid.gfn's one field: state { x: int[ndim] in 0..height-1 }
      const { x } = JSON.parse(line) as { x: number[] };
      expect(x).toHaveLength(2);
      for (const v of x) expect(v >= 0 && v < 4 && Number.isInteger(v)).toBe(true);
    }
    const raw = gfn('sample', '--run', runDir, '-n', '5', '--format', 'raw');
    expect(raw.code).toBe(0);
    for (const line of raw.stdout.trim().split('\n')) {
      expect(JSON.parse(line)).toEqual([expect.any(Number), expect.any(Number)]);
    }
    const text = gfn('sample', '--run', runDir, '-n', '5', '--format', 'text');
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/--format text: env 'hypergrid' has no text form/);
  });

  it('evaluates the saved model to the metrics training reported', () => {
    const r = gfn('eval', '--run', runDir, '--samples', '1000');
    expect(r.code).toBe(0);
    const metrics = JSON.parse(r.stdout) as Record<string, number>;
    expect(metrics['l1_exact']).toBeCloseTo(summary['l1_exact'] as number, 5);
    expect(metrics['logz_estimate']).toBeCloseTo(summary['logz_estimate'] as number, 5);
    expect(metrics['l1_sampled']).toBeGreaterThan(0);
  });
});

describe('gfn train --config', () => {
  it('reads flags and env parameters from a JSON file, flags winning', () => {
    const config = join(dir, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        iterations: 3,
        batchSize: 4,
        'eval-samples': 0,
        ndim: 3,
        height: 3,
        loss: 'fm',
      }),
    );
    const out = join(dir, 'from-config');
    const r = gfn('train', '--config', config, '--iterations', '4', '--out', out, '--quiet');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(s['iterations']).toBe(4);
    expect(s['trajectories']).toBe(16);
    expect(s['loss']).toBe('fm');
    expect(s['env_params']).toMatchObject({ ndim: 3, height: 3 });
  });
});

describe('bad input', () => {
  it('lists the valid env names for an unknown env', () => {
    expectUserError(gfn('train', '--env', 'hypergird'), "unknown env 'hypergird'", "'hypergrid'");
  });
  it('lists the valid loss names for an unknown loss', () => {
    expectUserError(
      gfn('train', '--loss', 'tbb', '--iterations', '1'),
      "unknown loss 'tbb'",
      "'a2c', 'db', 'fldb', 'fm', 'mdb', 'ppo', 'sql', 'subtb', 'tb', 'zvar'",
    );
  });
  it('names the plugin and its options for an unknown option', () => {
    expectUserError(
      gfn('train', '--loss', 'subtb:lamda=0.5', '--iterations', '1'),
      "--loss: 'subtb' has no option 'lamda' (its options: 'lambda')",
    );
  });
  it('range-checks plugin options', () => {
    expectUserError(
      gfn('train', '--replay', 'prioritized:capacity=0', '--iterations', '1'),
      "--replay (prioritized option 'capacity'): 0 is out of range (allowed: 1..10000000)",
    );
  });
  it('rejects a malformed schedule, naming the flag', () => {
    expectUserError(
      gfn('train', '--epsilon', 'linear(0.5, 2, 100)', '--iterations', '1'),
      '--epsilon end: 2 is out of range (allowed: 0..1)',
    );
  });
  it('fails at wiring time when the env lacks what the objective needs', () => {
    expectUserError(
      gfn('train', join(EXAMPLES, 'subset.gfn'), '--loss', 'mdb', '--iterations', '1'),
      "loss 'mdb' (modified detailed balance) needs every state to terminate",
    );
    expectUserError(
      gfn('train', '--backward', 'env', '--iterations', '1'),
      "backward policy 'env' needs a fixed backward policy from the env",
    );
  });
  it('names the flag of a malformed number', () => {
    expectUserError(gfn('train', '--lr', '1e-3x'), "--lr: '1e-3x' is not a number");
  });
  it('names the flag and the range of an out-of-range env parameter', () => {
    expectUserError(gfn('train', '--ndim', '9'), '--ndim', '9 is out of range (allowed: 1..8)');
  });
  it('names the flag and the range of an out-of-range option', () => {
    expectUserError(
      gfn('train', '--epsilon', '1.5'),
      '--epsilon: 1.5 is out of range (allowed: 0..1)',
    );
  });
  it('names the state whose reward is not positive', () => {
    const r = gfn(
      'train',
      '--r0',
      '0',
      '--iterations',
      '2',
      '--quiet',
      '--out',
      join(dir, 'bad-reward'),
    );
    // The model check before training finds it (and names the state).
    expectUserError(r, 'C506: the reward is 0', 'must be positive and finite (in state x=[');
    // Without the check, training meets it.
    const unchecked = gfn(
      'train',
      '--r0',
      '0',
      '--iterations',
      '2',
      '--check-limit',
      '0',
      '--quiet',
      '--out',
      join(dir, 'bad-reward-unchecked'),
    );
    expectUserError(
      unchecked,
      'the reward of state x=[',
      'is 0; rewards must be positive and finite',
    );
  });
  it('rejects an unknown flag with the list of valid ones', () => {
    expectUserError(gfn('sample', '--runn', 'x'), 'unknown flag --runn', '--run');
  });
  it('explains a directory that is not a run', () => {
    expectUserError(gfn('eval', '--run', dir), 'is not a run directory');
  });
  it('lists the valid commands for an unknown command', () => {
    expectUserError(gfn('trian'), "unknown command 'trian'", "'train'");
  });
});

describe('help', () => {
  it.each(['train', 'sample', 'eval', 'plugins'])('documents gfn %s', (command) => {
    const r = gfn(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: gfn ${command}`);
  });
  it('lists every registered plugin with its description and options', () => {
    const r = gfn('plugins');
    expect(r.code).toBe(0);
    const listing = PluginRegistry.load([]).list();
    const kinds = ['loss', 'backward', 'penalty', 'sampler', 'replay'];
    expect(Object.keys(listing)).toEqual(['env', ...kinds]);
    for (const kind of kinds) {
      expect(listing[kind]!.length).toBeGreaterThan(0);
      for (const p of listing[kind]!) {
        expect(r.stdout).toContain(`${p.name}`);
        expect(r.stdout).toContain(p.description);
        for (const o of p.options)
          expect(r.stdout).toContain(`${o.name}: ${o.type}, ${o.description}`);
      }
    }
    expect(r.stdout).toContain('hypergrid-ts');
  });
});

describe('a third-party plugin module', () => {
  const plugin = './examples/plugin-contrastive-balance/index.js';
  it('adds its objective to gfn plugins and trains with it by name', () => {
    const listed = gfn('plugins', '--plugin', plugin);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ {2}cb +contrastive balance/m);
    const dir = mkdtempSync(join(tmpdir(), 'gfn-plugin-'));
    try {
      const r = gfn(
        'train',
        '--plugin',
        plugin,
        '--loss',
        'cb',
        '--batch-size',
        '64',
        '--iterations',
        '300',
        '--eval-samples',
        '0',
        '--quiet',
        '--out',
        dir,
      );
      expect(r.code).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(summary.loss).toBe('cb');
      expect(summary.l1_exact).toBeLessThanOrEqual(0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gfn check and training on spec files', () => {
  it('model-checks a valid spec and exits 0', () => {
    const r = gfn('check', 'examples/subset.gfn');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('terminal states: 56');
    expect(r.stdout).toContain('ok: no violations');
  });

  it('prints diagnostics with the source line and a caret, and exits 1', () => {
    const spec = join(dir, 'broken.gfn');
    writeFileSync(spec, 'env b\nstate { x: int in 0..3 }\naction done stop\nreward 1 + hieght\n');
    const r = gfn('check', spec);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${spec}:4:12: error E101: unknown name 'hieght'`);
    expect(r.stderr).toContain('4 | reward 1 + hieght');
    expect(r.stderr).toContain('|            ^^^^^^');
  });

  it('exits 1 on a model-check violation and names the state', () => {
    const spec = join(dir, 'zero.gfn');
    writeFileSync(
      spec,
      'env z\nstate { x: int in 0..3 }\naction inc when x < 3 do x += 1\nparent inc when x > 0 do x -= 1\naction done stop\nreward x\n',
    );
    const r = gfn('check', spec);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error C506');
    expect(r.stdout).toContain('at state x=0');
  });

  it('trains on a spec given as the first argument, with its parameters', () => {
    const out = join(dir, 'spec-run');
    const r = gfn(
      'train',
      'examples/subset.gfn',
      '--k',
      '2',
      '--loss',
      'fm',
      '--batch-size',
      '32',
      '--iterations',
      '20',
      '--eval-samples',
      '0',
      '--quiet',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(summary['env']).toBe('subset');
    expect((summary['env_params'] as Record<string, number>)['k']).toBe(2);
    const s = gfn('sample', '--run', out, '-n', '5', '--out', join(dir, 'subset.jsonl'));
    expect(s.code).toBe(0);
    const rows = readFileSync(join(dir, 'subset.jsonl'), 'utf8').trim().split('\n');
    for (const row of rows) {
      // subset.gfn: state { chosen: bool[8] }, bools written as booleans.
      const { chosen } = JSON.parse(row) as { chosen: boolean[] };
      expect(chosen).toHaveLength(8);
      expect(chosen.filter((c) => c === true)).toHaveLength(2);
      expect(chosen.every((c) => typeof c === 'boolean')).toBe(true);
    }
  });

  it('rejects an out-of-range spec parameter as a user error', () => {
    const r = gfn(
      'train',
      'examples/subset.gfn',
      '--k',
      '12',
      '--iterations',
      '1',
      '--out',
      join(dir, 'x'),
    );
    expectUserError(r, 'k', '12');
  });

  it('reports a rule that cannot be applied by its action and state when the check is skipped', () => {
    const spec = join(dir, 'overflow.gfn');
    writeFileSync(
      spec,
      'env overflow\nstate { s: seq[2] of 0..1 }\ninit s = []\n' +
        'action append(v in 0..1) do s.push(v)\n' +
        'parent append(v in 0..1) when len(s) > 0 and last(s) == v do s.pop()\n' +
        'action done when len(s) >= 1 stop\nreward 1\n',
    );
    const checked = gfn('train', spec, '--iterations', '3', '--out', join(dir, 'overflow'));
    expectUserError(checked, 'fails its model check', 'C504');
    const r = gfn(
      ...['train', spec, '--iterations', '20', '--check-limit', '0'],
      ...['--out', join(dir, 'overflow'), '--force'],
    );
    expectUserError(r, "env 'overflow': append(", 'cannot be applied in state s=[');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("names a dead end met in training as the env's error, with its state", () => {
    const spec = join(dir, 'dead.gfn');
    writeFileSync(
      spec,
      'env dead\nstate { x: int in 0..3 }\naction inc when x < 2 do x += 1\n' +
        'parent inc when x > 0 do x -= 1\nterminal when x == 3\nreward 1\n',
    );
    const r = gfn(
      ...['train', spec, '--iterations', '2', '--check-limit', '0'],
      ...['--out', join(dir, 'dead'), '--quiet'],
    );
    expectUserError(r, "env 'dead': state x=2 allows no action, not even the exit (a dead end)");
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('model-checks the spec of a run before sampling or evaluating it', () => {
    const spec = join(dir, 'pick.gfn');
    writeFileSync(
      spec,
      'env pick\nstate { b: bool[3] }\n' +
        'action add(i in 0..2) when not b[i] do b[i] = true\n' +
        'parent add(i in 0..2) when b[i] do b[i] = false\naction done stop\nreward 1\n',
    );
    const out = join(dir, 'pick');
    expect(gfn('train', spec, '--iterations', '2', '--quiet', '--out', out).code).toBe(0);
    // The run's copy of the spec is edited: its parent rule now applies where it should not.
    const copy = join(out, 'inputs', readdirSync(join(out, 'inputs'))[0]!);
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('when b[i] do', 'when true do'));
    for (const command of ['sample', 'eval']) {
      expectUserError(
        gfn(command, '--run', out),
        `gfn ${command} would use a broken env`,
        'C502: extra parent',
      );
    }
    expect(gfn('sample', '--run', out, '-n', '1', '--check-limit', '0').code).toBe(0);
  });
});
