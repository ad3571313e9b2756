import type { DiscreteEnv } from '../env/env.js';

/** Distinct modes among all terminating states seen so far (env.modeOf decides what a mode is). */
export class ModeTracker {
  private readonly seen = new Set<string>();

  constructor(private readonly env: DiscreteEnv) {}

  get enabled(): boolean {
    return this.env.modeOf !== undefined;
  }

  observe(terminal: Int32Array, n: number): void {
    if (!this.env.modeOf) return;
    const d = this.env.stateDim;
    for (let i = 0; i < n; i++) {
      const mode = this.env.modeOf(terminal.subarray(i * d, (i + 1) * d));
      if (mode !== null) this.seen.add(mode);
    }
  }

  saveState(): string[] {
    return [...this.seen];
  }

  loadState(modes: readonly string[]): void {
    this.seen.clear();
    for (const m of modes) this.seen.add(m);
  }

  get found(): number {
    return this.seen.size;
  }

  get total(): number | null {
    return this.env.numModes ?? null;
  }
}
