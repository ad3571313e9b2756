import { UserError } from '@gflownet/core';
import { type FlagSpec, formatHelp, parseFlags } from './flags.js';

const SPECS: FlagSpec[] = [
  { name: 'iterations', type: 'int', min: 1, description: 'iterations' },
  { name: 'lr', type: 'float', min: 0, max: 1, description: 'learning rate' },
  { name: 'hidden', type: 'int-list', min: 1, description: 'sizes' },
  { name: 'plugin', type: 'string', repeatable: true, description: 'modules' },
  { name: 'loss', type: 'string', choices: ['tb', 'db'], description: 'objective' },
  { name: 'quiet', type: 'bool', description: 'quiet' },
  { name: 'num', alias: 'n', type: 'int', description: 'count' },
];

describe('parseFlags', () => {
  it('reads every form of flag and keeps unknown long flags as extras', () => {
    const r = parseFlags(
      [
        '--iterations',
        '10',
        '--lr=0.5',
        '--hidden',
        '64,32',
        '--plugin',
        'a',
        '--plugin',
        'b',
        '--quiet',
        '-n',
        '3',
        '--ndim',
        '4',
        'pos',
      ],
      SPECS,
      true,
    );
    expect(r.values).toEqual({
      iterations: 10,
      lr: 0.5,
      hidden: [64, 32],
      plugin: ['a', 'b'],
      quiet: true,
      num: 3,
    });
    expect(r.extra).toEqual({ ndim: '4' });
    expect(r.positional).toEqual(['pos']);
  });

  it.each([
    [['--iterations', '2.5'], "--iterations: '2.5' is not an integer"],
    [['--iterations', '0'], '--iterations: 0 is out of range (allowed: >= 1)'],
    [['--lr', 'fast'], "--lr: 'fast' is not a number"],
    [['--lr', '2'], '--lr: 2 is out of range (allowed: 0..1)'],
    [['--hidden', '64,x'], "--hidden: 'x' is not a number"],
    [['--loss', 'fm'], "--loss: 'fm' is not one of 'db', 'tb'"],
    [['--iterations'], 'flag --iterations needs a value'],
    [['--iterations', '1', '--iterations', '2'], 'flag --iterations was given more than once'],
    [['--bogus', '1'], 'unknown flag --bogus'],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    const call = () => parseFlags(argv, SPECS, false);
    expect(call).toThrow(UserError);
    expect(call).toThrow(message);
  });

  it('generates help from the same table', () => {
    const help = formatHelp('gfn x', 'Does x.', SPECS);
    expect(help).toContain('--lr X');
    expect(help).toContain('range 0..1');
    expect(help).toContain('-n, --num N');
    expect(help).toContain('one of tb, db');
  });
});
