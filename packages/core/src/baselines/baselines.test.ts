import { initBackend } from '../backend.js';
import { createRun } from '../run/create-run.js';
import { HypergridEnv } from '../testing/hypergrid.js';
import { testingModule } from '../testing/module.js';
import { buildStateGraph, compareDistributions } from '../metrics/index.js';
import { stateKey } from '../env/state-utils.js';
import { Rng } from '../util/rng.js';
import { McmcChains } from './mcmc.js';
import { uniformRollout } from './walks.js';

/** The histogram of the given objects over the graph's states. */
function histogram(
  graph: Awaited<ReturnType<typeof buildStateGraph>>,
  objects: Int32Array[],
): Float64Array {
  const hist = new Float64Array(graph.size);
  for (const x of objects) hist[graph.index.get(stateKey(graph.env, x))!]! += 1 / objects.length;
  return hist;
}

describe('MCMC over terminating objects', () => {
  it.each([1, 0.5])(
    "the chains' objects approach R^beta / Z on a 4x4 hypergrid (beta %s)",
    async (beta) => {
      const env = new HypergridEnv({ ndim: 2, height: 4 });
      const graph = await buildStateGraph(env);
      const chains = new McmcChains(env, { chains: 64, beta, maxBack: 3, seed: 1 });
      const seen: Int32Array[] = [];
      for (let t = 0; t < 400; t++) {
        const x = await chains.step();
        if (t < 50) continue;
        for (let i = 0; i < 64; i++) seen.push(x.slice(i * 2, (i + 1) * 2));
      }
      // R^beta / Z_beta over the states that can exit.
      const target = new Float64Array(graph.size);
      for (let s = 0; s < graph.size; s++)
        if (graph.canExit[s]) target[s] = Math.exp(beta * graph.logRewards[s]!);
      const z = target.reduce((a, b) => a + b, 0);
      target.forEach((v, s) => (target[s] = v / z));
      const { l1 } = compareDistributions(histogram(graph, seen), target, graph.numTerminal);
      expect(l1).toBeLessThan(0.05);
      expect(chains.acceptanceRate).toBeGreaterThan(0.1);
      expect(chains.statesVisited).toBeGreaterThan(64 * 350);
    },
  );
});

describe('uniform rollouts (the random baseline)', () => {
  it('follow the uniform policy: on a 1D grid of 4, exit at 0, 1, 2, 3 with 1/2, 1/4, 1/8, 1/8', () => {
    const env = new HypergridEnv({ ndim: 1, height: 4 });
    const rng = new Rng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++)
      counts[uniformRollout(env, env.initialState, rng).state[0]!]! += 1;
    const p = counts.map((c) => c / 20_000);
    [0.5, 0.25, 0.125, 0.125].forEach((q, i) => expect(p[i]).toBeCloseTo(q, 1));
  });
});

/** A run of a reward-maximizing baseline on the 2D grid of 8, evaluated once at the end. */
async function gridRun(loss: string, iterations: number) {
  await initBackend('wasm');
  return createRun(
    {
      env: 'test-hypergrid',
      envParams: { ndim: 2, height: 8 },
      loss,
      batchSize: 16,
      iterations,
      evalEvery: iterations,
    },
    [testingModule],
  );
}

describe('PPO (--loss ppo), the reward-maximizing baseline', () => {
  it('concentrates on the best objects it finds instead of matching R/Z', async () => {
    const run = await gridRun('ppo', 150);
    const result = await run.train();
    run.dispose();
    // Its exact distribution is far from R/Z (a GFlowNet is below 0.1 on this grid), with most
    // of its mass on the high-reward corners.
    expect(result.exact!.l1_exact).toBeGreaterThan(0.5);
    expect(Number.isNaN(run.loss.estimateLogZ(run.model))).toBe(true);
  }, 120_000);
});

describe('A2C (--loss a2c), the second reward-maximizing baseline', () => {
  it('raises its mean reward and concentrates instead of matching R/Z', async () => {
    const run = await gridRun('a2c', 300);
    // E[R(x)/Z] under the learned distribution: grows as the policy moves to high rewards.
    const mean = async () => {
      const { learned, target } = (await run.evaluate({ keepDistributions: true })).distributions!;
      return learned.reduce((a, p, i) => a + p * target[i]!, 0);
    };
    const before = await mean();
    const result = await run.train();
    const after = await mean();
    run.dispose();
    expect(run.loss.epochs).toBe(1);
    expect(after).toBeGreaterThan(1.5 * before);
    expect(result.exact!.l1_exact).toBeGreaterThan(0.5);
  }, 120_000);
});
