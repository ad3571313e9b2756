import { join } from 'node:path';
import {
  type BackendInfo,
  RUN_FILES,
  type Run,
  type TrainResult,
  writeJsonAtomic,
} from '@gflownet/core';

/**
 * The end of a training command: the run's final weights, the evaluation of the trained policy,
 * summary.json and the lines printed on stdout.
 */
export async function finishRun(
  run: Run,
  result: TrainResult,
  out: string,
  backend: BackendInfo,
): Promise<void> {
  const c = run.config;
  const graph = run.graph;
  const evaluation = await run.evaluate({
    samples: graph ? c.evalSamples : 0,
    seed: c.seed + 7919,
  });
  const exact = evaluation.exact;
  const summary = {
    env: c.env,
    env_params: run.envParams,
    loss: c.loss,
    backward: c.backward,
    penalty: c.penalty,
    sampler: c.sampler,
    replay: c.replay,
    iterations: result.iterations,
    batch_size: c.batchSize,
    trajectories: result.trajectories,
    seconds: round(result.seconds, 3),
    iterations_per_second: round(result.iterations / result.seconds, 2),
    backend: backend.name,
    seed: c.seed,
    final_loss: result.finalLoss,
    skipped_iterations: result.skipped,
    l1_exact: exact?.l1_exact ?? null,
    l1_mean_exact: exact?.l1_mean_exact ?? null,
    tv_exact: exact?.tv_exact ?? null,
    jsd_exact: exact?.jsd_exact ?? null,
    logz_true: exact?.logz_true ?? null,
    logz_estimate: evaluation.logzEstimate,
    logz_error: exact?.logz_error ?? null,
    l1_sampled: evaluation.l1Sampled,
    l1_sampled_samples: evaluation.l1Sampled === null ? 0 : c.evalSamples,
    modes_found: result.modesFound,
    modes_total: result.modesTotal,
    sample_metrics: result.samples,
    oracle: run.oracle
      ? { name: run.oracle.oracle.name, ...run.oracle.stats(), dropped: run.oracleDropped }
      : null,
  };
  writeJsonAtomic(join(out, RUN_FILES.summary), summary);
  process.stdout.write(formatSummary(summary, graph?.numTerminal ?? null, out));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function formatSummary(
  s: Record<string, unknown>,
  numTerminal: number | null,
  out: string,
): string {
  const lines = [
    `trained ${s['env']} with ${s['loss']}: ${s['iterations']} iterations, ${s['trajectories']} trajectories, ` +
      `${s['seconds']} s (${s['iterations_per_second']} it/s, ${s['backend']})`,
  ];
  if (s['l1_exact'] !== null) {
    lines.push(
      `l1_exact ${fmt(s['l1_exact'])}   (sum over ${numTerminal} terminating states of |p(x) - R(x)/Z|, exact by dynamic programming)`,
      `l1_mean_exact ${fmt(s['l1_mean_exact'])}   jsd_exact ${fmt(s['jsd_exact'])}` +
        // An objective without a partition function (ppo) has no log Z to be wrong about.
        (typeof s['logz_error'] === 'number' && Number.isFinite(s['logz_error'])
          ? `   log Z error ${fmt(s['logz_error'])}`
          : ''),
    );
  }
  if (s['l1_sampled'] !== null)
    lines.push(
      `l1_sampled ${fmt(s['l1_sampled'])}   (from ${s['l1_sampled_samples']} fresh samples)`,
    );
  const samples = s['sample_metrics'] as Record<string, number> | null;
  if (samples) {
    lines.push(
      `sampled during training: ${Object.entries(samples)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join('   ')}`,
    );
  }
  if (s['modes_found'] !== null) {
    const total = s['modes_total'] === null ? '' : `/${s['modes_total']}`;
    lines.push(`modes found ${s['modes_found']}${total}`);
  }
  const oracle = s['oracle'] as Record<string, number | string> | null;
  if (oracle) {
    lines.push(
      `oracle ${oracle['name']}: ${oracle['oracle_calls']} calls, ${oracle['oracle_cache_hits']} ` +
        `cache hits, ${oracle['oracle_failures']} objects without a score, ` +
        `${oracle['dropped']} trajectories left out, mean call ${fmt(oracle['oracle_latency_mean'])} s`,
    );
  }
  lines.push(`run saved to ${out}`);
  return `${lines.join('\n')}\n`;
}

function fmt(x: unknown): string {
  return typeof x === 'number' && Number.isInteger(x)
    ? String(x)
    : typeof x === 'number'
      ? Math.abs(x) >= 1e-3 || x === 0
        ? x.toFixed(4)
        : x.toExponential(2)
      : String(x);
}
