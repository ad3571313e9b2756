/**
 * An actor thread (run by piscina): keeps a copy of the run's env, sampler, objective and policy,
 * and for each task sets the weights it was sent (when newer), rolls out and scores the
 * trajectories, prepares them for the objective when asked, and returns plain arrays.
 */
import * as tf from '@tensorflow/tfjs';
import type { ContainerModule } from 'inversify';
import { initBackend } from '../backend.js';
import { NonFiniteError, UserError } from '../errors.js';
import { createRun } from '../run/create-run.js';
import type { Run } from '../run/run.js';
import type { ModuleLoader, SampleResult, SampleTask } from './protocol.js';

let current: { key: string; run: Run; version: number } | null = null;

async function runFor(task: SampleTask): Promise<{ run: Run; version: number }> {
  if (current?.key === task.setup.key) return current;
  current?.run.dispose();
  current = null;
  const { config, modules, loader } = task.setup;
  await initBackend(config.backend);
  const load = ((await import(loader)) as { default: ModuleLoader }).default;
  const loaded = (await load(modules)) as ContainerModule[];
  const run = await createRun({ ...config, workers: 0 }, loaded, { modules, stateGraph: false });
  current = { key: task.setup.key, run, version: -1 };
  return current;
}

/**
 * Runs one sampling task in this thread or process: builds (or reuses) the run copy the task's
 * setup describes, sets the weights when they are newer, samples, scores and (when asked)
 * prepares. Errors come back as data, with their class name.
 */
export default async function sample(task: SampleTask): Promise<SampleResult> {
  const t0 = performance.now();
  try {
    const actor = await runFor(task);
    const { run } = actor;
    if (actor.version !== task.version) {
      const vars = run.model.netVariables;
      vars.forEach((v, i) => {
        const t = tf.tensor(task.weights[i]!, v.shape);
        v.assign(t);
        t.dispose();
      });
      actor.version = task.version;
    }
    run.reseed('sampler', task.seed);
    const batch = await run.sampler.sample(run.model, task.count, task.iteration);
    const prepared = task.prepare ? await run.loss.prepare(batch) : undefined;
    const summary = await run.tracker?.summarize?.(
      batch.terminalStates(),
      batch.count,
      batch.logRewards,
    );
    return {
      ok: true,
      states: batch.states,
      actions: batch.actions,
      starts: batch.starts,
      logRewards: batch.logRewards,
      ...(task.prepare ? { prepared } : {}),
      ...(summary !== undefined ? { summary } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      // Subclasses of UserError (a spec's runtime error) stay user errors in the learner.
      name:
        err instanceof UserError && !(err instanceof NonFiniteError)
          ? 'UserError'
          : e.constructor.name,
      message: e.message,
      ...(err instanceof NonFiniteError ? { term: err.term } : {}),
    };
  }
}
