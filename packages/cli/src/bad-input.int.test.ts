import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GFN } from './test-support/gfn-process.js';

// A user's mistakes, each answered by a clear error: exit code 2, the message naming the flag,
// file or line, no stack trace, and nothing written anywhere.

let dir: string;

const SMALL = [
  '--height',
  '4',
  '--iterations',
  '3',
  '--batch-size',
  '4',
  '--hidden',
  '8',
  '--quiet',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gfn-bad-input-'));
  const run = spawnSync(
    process.execPath,
    [GFN, 'train', ...SMALL, '--eval-samples', '0', '--out', 'run'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const other = spawnSync(
    process.execPath,
    [GFN, 'train', ...SMALL, '--ndim', '3', '--eval-samples', '0', '--out', 'run3d'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (other.status !== 0) throw new Error(other.stderr);
  writeFileSync(join(dir, 'a-file'), 'x');
  mkdirSync(join(dir, 'busy'));
  writeFileSync(join(dir, 'busy', 'keep.txt'), 'x');
  mkdirSync(join(dir, 'empty'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write('bad.json', '{"lr": 0.1,');
  write('array.json', '[1, 2]');
  write('twice.json', '{"lr": 0.1, "lr": 0.2}');
  write('twins.json', '{"batchSize": 4, "batch-size": 8}');
  write('fast.json', '{"lr": "fast"}');
  // Its parent rule forgets to undo add(0): gfn train refuses it before training.
  write(
    'bad-parent.gfn',
    [
      'env badparent',
      'state { chosen: bool[3] }',
      'action add(i in 0..2) when not chosen[i] do chosen[i] = true',
      'parent add(i in 0..2) when chosen[i] and i > 0 do chosen[i] = false',
      'terminal when count(i in 0..2: chosen[i]) == 2',
      'reward 1 + chosen[0]',
      '',
    ].join('\n'),
  );
  write('binary.gfn', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]).toString('latin1'));
  const broken = (name: string, edit: (config: Record<string, unknown>) => unknown) => {
    mkdirSync(join(dir, name));
    const config = JSON.parse(readFileSync(join(dir, 'run/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(join(dir, name, 'config.json'), JSON.stringify(edit(config)));
    writeFileSync(join(dir, name, 'model.json'), readFileSync(join(dir, 'run/model.json')));
  };
  broken('no-env', ({ env: _env, ...rest }) => rest);
  broken('bad-loss', (c) => ({ ...c, loss: 'nope' }));
  broken('bad-modules', (c) => ({ ...c, modules: 'x' }));
  broken('other-model', (c) => c);
  writeFileSync(join(dir, 'other-model/model.json'), readFileSync(join(dir, 'run3d/model.json')));
  broken('garbage-model', (c) => c);
  writeFileSync(join(dir, 'garbage-model/model.json'), '{"format": "something else"}');
  broken('bad-json', (c) => c);
  writeFileSync(join(dir, 'bad-json/config.json'), '{"env": ');
  broken('bad-summary', (c) => c);
  writeFileSync(join(dir, 'bad-summary/metrics.jsonl'), '');
  writeFileSync(join(dir, 'bad-summary/summary.json'), '{"env": "hyper');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// [command line, what the message must say]
const CASES: [string[], string][] = [
  [['train', '--out', 'a-file', ...SMALL], "--out: 'a-file' is a file"],
  [
    ['train', '--env', 'bad-parent.gfn', '--iterations', '2', '--quiet'],
    "env 'badparent' fails its model check, so training would not learn R/Z:\n  C501: missing parent: add(0)",
  ],
  [['train', '--out', 'busy', ...SMALL], "--out: 'busy' is not empty"],
  [['train', '--out', 'a-file/sub', ...SMALL], 'cannot create the run directory'],
  [['train', '--force', '--out', 'a-file', ...SMALL], "--out: 'a-file' is a file"],
  [['train', '--iterations', '0x10'], "--iterations: '0x10' is not a number"],
  [['train', '--iterations', '1.5'], "--iterations: '1.5' is not an integer"],
  [['train', '--iterations', '0'], '--iterations: 0 is out of range'],
  [['train', '--batch-size', '100001'], '--batch-size: 100001 is out of range'],
  [['train', '--lr', 'abc'], "--lr: 'abc' is not a number"],
  [['train', '--seed', '-1'], '--seed: -1 is out of range'],
  [['train', '--lr'], 'flag --lr needs a value'],
  [['train', '--lr', '0.1', '--lr', '0.2'], 'flag --lr was given more than once'],
  [['train', '--loss', 'nope', ...SMALL], "unknown loss 'nope'"],
  [
    ['train', '--loss', 'subtb:lambda=x', ...SMALL],
    "--loss (subtb option 'lambda'): 'x' is not a number",
  ],
  [['train', '--loss', 'tb:foo=1', ...SMALL], "--loss: 'tb' has no option 'foo'"],
  [
    ['train', '--epsilon', 'linear(1, 0)', ...SMALL],
    '--epsilon: linear(...) takes 3 numbers, got 2',
  ],
  [['train', '--epsilon', '2', ...SMALL], '--epsilon: 2 is out of range'],
  [['train', '--hidden', '0'], '--hidden: 0 is out of range'],
  [['train', '--backend', 'gpu'], "--backend: 'gpu' is not one of"],
  [['train', '--on-nan', 'maybe'], "--on-nan: 'maybe' is not one of"],
  [
    ['train', '--iteratons', '5', ...SMALL],
    'unknown flag --iteratons (did you mean --iterations?)',
  ],
  [['train', '--__proto__', '5', ...SMALL], 'unknown flag --__proto__'],
  [['train', '--ndim', '9', ...SMALL], "--ndim (env 'hypergrid'): 9 is out of range"],
  [['train', '--env', 'nope', ...SMALL], "unknown env 'nope'"],
  [['train', 'missing.gfn', ...SMALL], "spec file 'missing.gfn' does not exist"],
  [['train', '--plugin', './missing.js', ...SMALL], "plugin module './missing.js' does not exist"],
  [['train', '--config', 'missing.json'], "--config: file 'missing.json' does not exist"],
  [['train', '--config', 'busy'], "--config: 'busy' is a directory"],
  [['train', '--config', 'bad.json'], '--config: bad.json is not valid JSON'],
  [['train', '--config', 'array.json'], '--config: array.json must hold a JSON object'],
  [['train', '--config', 'twice.json'], "twice.json: key 'lr' is given more than once"],
  [
    ['train', '--config', 'twins.json'],
    "twins.json: 'batch-size' and 'batchSize' set the same option",
  ],
  [['train', '--config', 'fast.json'], "fast.json: --lr: 'fast' is not a number"],
  [['train', '--resume', 'empty'], "'empty' is not a run directory"],
  [['train', '--resume', 'run', '--lr', '0.1'], '--lr cannot change'],
  [['train', '--resume', 'run'], 'is at iteration 3 already'],
  [['sample'], '--run DIR is required'],
  [['sample', '--run', 'nowhere'], "'nowhere' is not a directory"],
  [['sample', '--run', 'a-file'], "'a-file' is not a directory"],
  [['sample', '--run', 'empty'], "'empty' is not a run directory"],
  [['sample', '--run', 'run', '--out', 'run/model.json'], "is the run's own model.json"],
  [['sample', '--run', 'run', '--out', 'busy'], "--out: 'busy' is a directory"],
  [['sample', '--run', 'run', '--out', 'nowhere/x.jsonl'], 'the directory of'],
  [['sample', '--run', 'run', '-n', '0'], '--num: 0 is out of range'],
  [['sample', '--run', 'no-env'], "'env' must name the run's env"],
  [['sample', '--run', 'bad-modules'], "'modules' must be a list"],
  [['sample', '--run', 'bad-json'], 'cannot read'],
  [['eval', '--run', 'bad-loss'], "unknown loss 'nope'"],
  [['eval', '--run', 'other-model'], 'model.json belongs to another run'],
  [['eval', '--run', 'garbage-model'], 'holds no gflownet-ts model'],
  [['report', 'bad-summary'], 'summary.json is not valid JSON'],
  [['report', 'empty'], "'empty' is not a run directory"],
  [['check', 'binary.gfn'], "'binary.gfn' is not a text file"],
  [['check', 'missing.gfn'], "spec file 'missing.gfn' does not exist"],
  [['check', 'busy'], "spec file 'busy' is a directory"],
  [['check', 'a.gfn', 'b.gfn'], 'give exactly one spec file'],
  [['nope'], "unknown command 'nope'"],
];

// Every command line runs through the built CLI's main() in one process, one after the other
// (test-support/main-cases.mjs); gfn's own process handling is tested by the other suites.
let results: { code: number; stderr: string; files: Record<string, string> }[] = [];
beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, 'test-support/main-cases.mjs'),
      dir,
      JSON.stringify(CASES.map(([args]) => args)),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  results = JSON.parse(r.stdout) as typeof results;
}, 300_000);

describe.each(CASES.map(([args, message], i) => [args, message, i] as const))(
  'gfn %j',
  (_args, message, i) => {
    it('is a clear error that changes nothing', () => {
      const r = results[i + 1]!;
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^gfn: error: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.files).toEqual(results[i]!.files);
    });
  },
);
