import type { RunConfig } from '../run/config.js';

/**
 * What an actor thread needs to build its copy of the run (sent with every task; small). The
 * copy's model has the run's shape; its weights come with each task.
 */
export interface ActorSetup {
  /** Identifies the run: an actor rebuilds its copy when this changes. */
  key: string;
  config: RunConfig;
  /** Module specifiers the run was made with (packages, paths, specs), for the loader. */
  modules: string[];
  /** URL of a module whose default export loads those specifiers (see ModuleLoader). */
  loader: string;
}

/**
 * The default export of a loader module: turns module specifiers into the plugin modules an
 * actor thread registers. The CLI's loader knows .gfn specs and TypeScript plugins; core's
 * default imports each specifier and takes its default export.
 */
export type ModuleLoader = (specifiers: readonly string[]) => Promise<unknown[]>;

export interface SampleTask {
  setup: ActorSetup;
  /** Weights version: the number of updates the learner had applied when it took them. */
  version: number;
  /** The network's variables, in PolicyModel.netVariables order. */
  weights: Float32Array[];
  count: number;
  iteration: number;
  /** Also run the objective's `prepare` on the batch (masks, parents: the env's share of work). */
  prepare: boolean;
  /** Seeds the sampler's random stream for this task, so results do not depend on the thread. */
  seed: number;
}

export type SampleResult =
  | {
      ok: true;
      states: Int32Array;
      actions: Int32Array;
      starts: Int32Array;
      logRewards: Float64Array;
      /** The objective's prepared arrays of the batch, when asked. */
      prepared?: unknown;
      /** The env's sample tracker's summary of the terminating states, when it has one. */
      summary?: unknown;
      /** Time the actor spent on the task (weights, sampling, scoring), in seconds. */
      seconds: number;
    }
  | {
      ok: false;
      /** The error's class name (UserError, NonFiniteError, ...), its message and term. */
      name: string;
      message: string;
      term?: string;
    };
