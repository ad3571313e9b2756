import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';

/**
 * The environment contract. A state is a fixed-width vector of int32 (`stateDim` of them); a batch
 * of n states is one Int32Array of n * stateDim. Forward actions are 0..numActions-1 and one of
 * them, `exitAction`, ends the trajectory in the current state; backward actions are
 * 0..numBackwardActions-1. Masks are Uint8Array rows (1 = allowed).
 *
 * The core handles the exit action, copying, batching and validity checks: an env implements its
 * domain only. `step` is never called with the exit action, and `backwardStep` never on the
 * initial state.
 */
/** One field of a state as `stateFields` gives it: a value or (nested) lists of values. */
export type StateFieldValue = number | boolean | StateFieldValue[];

export interface DiscreteEnv {
  /** Short name used in logs and checkpoints. */
  readonly name: string;
  readonly stateDim: number;
  readonly numActions: number;
  readonly exitAction: number;
  readonly numBackwardActions: number;
  /** Width of the float feature vector that `featurize` writes per state. */
  readonly featureDim: number;
  /** Upper bound on the number of transitions (exit included) of any trajectory. */
  readonly maxTrajectoryLength: number;
  /** The initial state s0, `stateDim` ints. */
  readonly initialState: Int32Array;

  /** out[i*numActions + a] = 1 when forward action a is allowed in state i (exit included). */
  forwardMask(states: Int32Array, n: number, out: Uint8Array): void;
  /** out[i*numBackwardActions + b] = 1 when backward action b is allowed in state i. */
  backwardMask(states: Int32Array, n: number, out: Uint8Array): void;
  /** Applies non-exit forward actions: out row i = step(states row i, actions[i]). */
  step(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void;
  /** Applies backward actions: out row i = the parent reached by backActions[i]. */
  backwardStep(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void;
  /**
   * log R(x) of terminating states. May return a Promise, for slow or remote oracles. Values must
   * be finite; the core checks and names the offending state.
   */
  logReward(states: Int32Array, n: number): Float64Array | Promise<Float64Array>;
  /** Writes `featureDim` floats per state. */
  featurize(states: Int32Array, n: number, out: Float32Array): void;

  // Optional capabilities; plugins check for them when a run is wired.

  /**
   * The backward action that undoes forward action `actions[i]` taken in state row i. Without it
   * the core finds the backward action by trying each allowed one.
   */
  backwardActionOf?(states: Int32Array, actions: Int32Array, n: number, out: Int32Array): void;
  /**
   * The forward action that leads from the parent reached by `backActions[i]` back to the child
   * in state row i. Without it the core finds the action by trying each allowed one.
   */
  forwardActionOf?(states: Int32Array, backActions: Int32Array, n: number, out: Int32Array): void;
  /**
   * The edges into one state: each distinct parent with the forward action leading from it to
   * the state (a parent appears once per action when several of its actions reach the state).
   */
  parents?(state: Int32Array): Parents;
  /** Equal keys for vectors that are the same object (e.g. isomorphic graphs). */
  canonicalKey?(state: Int32Array): string;
  /** True when the reachable space is small enough to enumerate for exact metrics. */
  readonly enumerable?: boolean;
  /**
   * Optional: the reward itself (before its log) of one state, for messages about a reward that
   * is not positive (whose log is NaN); undefined when the env only knows log R.
   */
  rewardValue?(state: Int32Array): number | undefined;
  /**
   * Optional: the score a reward is shaped from, given log R (QED for R = max(floor, QED)^beta):
   * what comparisons and `gfn optimize` report, and send as the env's oracle. Default: R itself.
   */
  objectScore?(logReward: number): number;
  /** The mode a terminating state belongs to, or null; enables the modes-found metric. */
  modeOf?(state: Int32Array): string | null;
  /** How many modes exist, when known. */
  readonly numModes?: number;
  /**
   * True when the exit action is allowed in every state, so every state is a terminating object
   * with a reward (modified detailed balance needs this).
   */
  readonly everyStateTerminates?: boolean;
  /**
   * log of an intermediate reward (minus an energy) defined on every state, for forward-looking
   * detailed balance. Envs where every state terminates get their log-reward by default.
   */
  logIntermediateReward?(states: Int32Array, n: number): Float64Array | Promise<Float64Array>;
  /**
   * A fixed backward policy given by the env: writes log P_B(b | s) for every backward action b of
   * n states (rows of numBackwardActions; masked actions get -Infinity). Enables `--backward env`.
   */
  fixedBackwardLogProbs?(states: Int32Array, n: number, out: Float32Array): void;
  /**
   * When a state is a point of a grid (its ints are the coordinates, each below the given size):
   * the grid's shape. `gfn report` draws the distribution of 2-D grids as a heatmap.
   */
  readonly gridShape?: readonly number[];
  /** Distance between two states (diversity-aware replay); defaults to the L1 distance of the ints. */
  distance?(a: Int32Array, b: Int32Array): number;
  /**
   * A text form of terminating objects (e.g. SMILES), one string per state: `gfn sample` writes
   * it instead of the int vectors.
   */
  objectText?(states: Int32Array, n: number): string[];
  /**
   * One state as named fields, for people and programs (`gfn sample` writes it as one JSON object
   * per line): a spec env gives its fields, sequences without padding, bools as booleans and
   * multi-dimensional arrays as nested lists.
   */
  stateFields?(state: Int32Array): Record<string, StateFieldValue>;
  /**
   * Draws terminating objects (n rows, with their log-rewards) as one SVG image, each captioned
   * as the env sees fit (`gfn report` shows the best sampled objects this way).
   */
  renderObjects?(states: Int32Array, n: number, logRewards: Float64Array): string;
  /**
   * A tracker of the objects sampled during training (for envs too large to enumerate: top-k
   * rewards, modes, diversity); the trainer reports its figures every evalEvery iterations.
   */
  createSampleTracker?(): SampleTracker | null;
}

/** Running metrics of the terminating states sampled during training. */
export interface SampleTracker {
  /**
   * A batch of freshly sampled terminating states (n rows) and their log-rewards; `summary` is
   * what `summarize` made of the same batch where it was sampled, when the tracker has one.
   */
  observe(
    states: Int32Array,
    n: number,
    logRewards: Float64Array,
    summary?: unknown,
  ): void | Promise<void>;
  /**
   * Optional: the costly, stateless part of observing a batch (e.g. a molecule's SMILES, score
   * and fingerprint), as plain data. Actor threads run it next to the sampling, so that the
   * learner's `observe` only folds the result in.
   */
  summarize?(states: Int32Array, n: number, logRewards: Float64Array): unknown;
  /** The figures so far, by name (written to the metrics log and the run summary). */
  report(): Record<string, number>;
  /** What it has seen, as plain JSON data, for a checkpoint (trackers without it restart). */
  saveState?(): unknown;
  /** Puts back what saveState returned. */
  loadState?(state: unknown): void;
}

export interface Parents {
  /** k parent states, k * stateDim ints. */
  states: Int32Array;
  /** The forward action taking parent j to the child. */
  actions: Int32Array;
}

/** A numeric parameter of an env factory or plugin option, with its type, default and range. */
export interface NumberParamSpec {
  name: string;
  type: 'int' | 'float';
  default: number;
  min?: number;
  max?: number;
  description: string;
}

/**
 * A text parameter of an env factory: one of `choices` (type 'choice') or any string (type
 * 'string', e.g. a file path; '' when not given).
 */
export interface TextParamSpec {
  name: string;
  type: 'choice' | 'string';
  default: string;
  choices?: readonly string[];
  /**
   * The value names an input file or directory (a vocabulary, a model): the CLI keeps a copy in
   * the run directory, so the run does not depend on the path or on later edits.
   */
  input?: 'file' | 'dir';
  description: string;
}

export type ParamSpec = NumberParamSpec | TextParamSpec;

export type EnvParams = Record<string, number | string>;

/** Creates environments of one kind from parameters; what an env plugin registers. */
export interface EnvFactory extends Omit<PluginInfo, 'options'> {
  readonly params: readonly ParamSpec[];
  create(params: EnvParams): DiscreteEnv;
}

/** Env factories contributed by env packages and plugins; many may be bound. */
export const EnvFactory = token<EnvFactory>('@gflownet/core/EnvFactory');
