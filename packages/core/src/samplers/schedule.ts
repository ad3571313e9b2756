import { checkRange, parseNumber } from '../env/params.js';
import { UserError } from '../errors.js';

/**
 * A value that changes with the training iteration: constant, linear from a start to an end value
 * over a number of iterations (then held), or exponential decay towards an end value with a time
 * constant. Written `0.1`, `linear(0.5, 0.01, 1000)` or `exp(1, 0.01, 200)`.
 */
export interface Schedule {
  at(iteration: number): number;
  readonly text: string;
  /** The value of a constant schedule; undefined for one that changes. */
  readonly constant?: number;
}

export function constantSchedule(value: number): Schedule {
  return { at: () => value, text: String(value), constant: value };
}

/**
 * Parses a schedule; `where` names the flag and `range` bounds every value it can take.
 */
export function parseSchedule(
  raw: string | number,
  where: string,
  range: { min?: number; max?: number },
): Schedule {
  if (typeof raw === 'number' || /^[\s\d.eE+-]+$/.test(raw)) {
    const value = parseNumber(raw, 'float', where);
    checkRange(value, range, where);
    return constantSchedule(value);
  }
  const m = /^\s*(linear|exp)\s*\(([^)]*)\)\s*$/.exec(raw);
  if (!m) {
    throw new UserError(
      `${where}: '${raw}' is not a number or a schedule (linear(START, END, STEPS) or exp(START, END, TAU))`,
    );
  }
  const kind = m[1]!;
  const args = m[2]!.split(',').map((s) => s.trim());
  if (args.length !== 3) {
    throw new UserError(`${where}: ${kind}(...) takes 3 numbers, got ${args.length}`);
  }
  const [start, end, steps] = args.map((a) => parseNumber(a, 'float', where)) as [
    number,
    number,
    number,
  ];
  checkRange(start, range, `${where} start`);
  checkRange(end, range, `${where} end`);
  if (!(steps > 0)) throw new UserError(`${where}: the iteration count of ${kind}() must be > 0`);
  const text = `${kind}(${start}, ${end}, ${steps})`;
  if (kind === 'linear') {
    return { at: (t) => (t >= steps ? end : start + ((end - start) * t) / steps), text };
  }
  return { at: (t) => end + (start - end) * Math.exp(-t / steps), text };
}
