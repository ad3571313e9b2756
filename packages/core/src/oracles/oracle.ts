/**
 * An expensive black-box scorer (docking, a simulation, a lab assay): scores a batch of objects,
 * each given as text (a SMILES, a state's JSON). It answers `null` for an object it could not
 * score, and throws when the whole call failed (the client retries it). It never invents a score.
 */
export interface Oracle {
  readonly name: string;
  /** `signal` aborts when the client gives the call up (its timeout): stop working on it. */
  score(objects: readonly string[], signal?: AbortSignal): Promise<(number | null)[]>;
  /**
   * Called once the client has stored the scores of a successful call in its cache (an oracle
   * that keeps results until they are safe, e.g. jobs in a queue, lets them go here).
   */
  stored?(objects: readonly string[]): Promise<void>;
  /** Stops a process or connection the oracle keeps open. */
  close?(): Promise<void>;
}

/** An oracle from a function in this process (today's rewards, or a test's). */
export class FunctionOracle implements Oracle {
  constructor(
    readonly name: string,
    private readonly fn: (
      objects: readonly string[],
    ) => Promise<(number | null)[]> | (number | null)[],
  ) {}

  async score(objects: readonly string[]): Promise<(number | null)[]> {
    return this.fn(objects);
  }
}
