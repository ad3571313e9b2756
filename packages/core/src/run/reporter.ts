/** One training iteration as reporters see it; evaluation iterations carry exact metrics too. */
export interface StepRecord {
  iteration: number;
  trajectories: number;
  loss: number;
  /** The objective's current log Z estimate. */
  logz: number;
  modes_found?: number;
  /** Training time so far, evaluations excluded. */
  seconds: number;
  [metric: string]: number | undefined;
}

export interface Reporter {
  /** `total` iterations to run now, starting after iteration `from` (0 unless resumed). */
  onStart?(total: number, from?: number): void;
  onStep?(record: StepRecord): void;
  /** Evaluation iterations; `samples` holds the env's sample-tracker figures when it has some. */
  onEval?(record: StepRecord, samples?: Record<string, number>): void | Promise<void>;
  onEnd?(): void | Promise<void>;
}
