import type { Reporter, StepRecord } from '@gflownet/core';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A progress bar with iterations per second, loss and ETA. On a terminal it redraws one line at
 * most ten times a second; elsewhere (logs, CI) it prints a line every tenth of the run.
 */
export class ProgressBar implements Reporter {
  private total = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private lossEma: number | undefined;
  private latestL1: number | undefined;

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly label = 'train',
  ) {}

  onStart(total: number): void {
    this.total = total;
  }

  onEval(record: StepRecord, samples?: Record<string, number>): void {
    if (record['l1_exact'] !== undefined) this.latestL1 = record['l1_exact'];
    if (samples) {
      const figures = Object.entries(samples).map(([k, v]) => `${k} ${formatFigure(v)}`);
      const clear = this.stream.isTTY ? '\r\x1b[K' : '';
      this.stream.write(`${clear}${this.label} it ${record.iteration}: ${figures.join('  ')}\n`);
    }
  }

  onStep(record: StepRecord): void {
    this.lossEma =
      this.lossEma === undefined ? record.loss : 0.9 * this.lossEma + 0.1 * record.loss;
    const done = record.iteration;
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(record)}\x1b[K${done === this.total ? '\n' : ''}`);
    } else {
      const decile = Math.floor((10 * done) / this.total);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.stream.write(`${this.line(record)}\n`);
    }
  }

  private line(r: StepRecord): string {
    const width = 24;
    const frac = this.total > 0 ? r.iteration / this.total : 1;
    const filled = Math.round(frac * width);
    const bar =
      '='.repeat(filled) +
      (filled < width ? '>' : '') +
      ' '.repeat(Math.max(0, width - filled - 1));
    const rate = r.seconds > 0 ? r.iteration / r.seconds : 0;
    const eta = rate > 0 ? (this.total - r.iteration) / rate : 0;
    const parts = [
      `${this.label} ${String(r.iteration).padStart(String(this.total).length)}/${this.total}`,
      `[${bar}]`,
      `${(100 * frac).toFixed(0).padStart(3)}%`,
      `${rate.toFixed(1)} it/s`,
      `loss ${formatNumber(this.lossEma ?? r.loss)}`,
    ];
    if (this.latestL1 !== undefined) parts.push(`l1 ${this.latestL1.toFixed(4)}`);
    if (r.modes_found !== undefined) parts.push(`modes ${r.modes_found}`);
    parts.push(`ETA ${formatDuration(eta)}`);
    return parts.join(' ');
  }
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(4) : x.toExponential(2);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - 60 * m)).padStart(2, '0')}s`;
}

function formatFigure(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}
