import {
  CommandContribution,
  ContainerModule,
  type DiscreteEnv,
  EnvFactory,
  type EnvParams,
  type ParamSpec,
  UserError,
  listNames,
  numberParam,
  textParam,
} from '@gflownet/core';
import { ATOM_TYPES, AtomsEnv } from './atoms-env.js';
import { type RDKit, loadRDKit } from './chem/rdkit.js';
import { FragmentsEnv } from './fragments-env.js';
import { defaultVocabulary, readVocabularyFile } from './fragments/vocabulary.js';
import { proxyReward } from './proxy.js';
import { MOLECULE_COMMANDS } from './cli.js';
import { MoleculeReward, ScoreCache, logpReward, qedReward } from './rewards.js';
import { MoleculeTracker } from './tracker.js';

export const MOLECULE_DEFAULTS = { beta: 32 } as const;

/** The env parameters of `--env molecule` (flags of `gfn train`). */
export function moleculeParams(rewards: readonly string[]): ParamSpec[] {
  return [
    {
      name: 'mode',
      type: 'choice',
      choices: ['fragments', 'atoms'],
      default: 'fragments',
      description: 'build from a fragment vocabulary or atom by atom',
    },
    {
      name: 'reward',
      type: 'choice',
      choices: rewards,
      default: 'qed',
      description: 'reward plugin',
    },
    {
      name: 'beta',
      type: 'float',
      default: MOLECULE_DEFAULTS.beta,
      min: 0,
      max: 1000,
      description:
        'R = max(floor, score)^beta; high enough that the many large, low-QED molecules do not outweigh the good ones (lower it for logp)',
    },
    {
      name: 'floor',
      type: 'float',
      default: 0.01,
      min: 1e-12,
      max: 1e6,
      description: 'smallest score the reward uses',
    },
    {
      name: 'mode-threshold',
      type: 'float',
      default: 0.8,
      description: 'score from which a sampled molecule can count as a mode',
    },
    {
      name: 'vocab',
      type: 'string',
      default: '',
      input: 'file',
      description:
        'fragments mode: vocabulary file (one SMILES with * attachment points per line; default: the built-in one)',
    },
    {
      name: 'min-fragments',
      type: 'int',
      default: 2,
      min: 1,
      max: 20,
      description: 'fragments mode: fewest fragments',
    },
    {
      name: 'max-fragments',
      type: 'int',
      default: 8,
      min: 1,
      max: 20,
      description: 'fragments mode: most fragments',
    },
    {
      name: 'max-stems',
      type: 'int',
      default: 6,
      min: 1,
      max: 20,
      description: 'fragments mode: most open attachment points',
    },
    {
      name: 'atoms',
      type: 'string',
      default: 'C,N,O',
      description: 'atoms mode: element symbols, comma-separated',
    },
    {
      name: 'max-atoms',
      type: 'int',
      default: 6,
      min: 1,
      max: 12,
      description: 'atoms mode: most heavy atoms',
    },
    {
      name: 'proxy',
      type: 'string',
      default: '',
      input: 'dir',
      description: 'proxy reward: model directory from gfn molecule train-proxy',
    },
  ];
}

/** `--env molecule`: molecules from fragments or atoms, rewarded by a MoleculeReward plugin. */
export function moleculeFactory(rdkit: RDKit, rewards: readonly MoleculeReward[]): EnvFactory {
  return {
    name: 'molecule',
    description:
      'molecule generation with RDKit: fragments (default) or atoms, QED / logP / proxy rewards',
    params: moleculeParams(rewards.map((r) => r.name)),
    create: (params) => createMoleculeEnv(rdkit, rewards, params),
  };
}

export function createMoleculeEnv(
  rdkit: RDKit,
  rewards: readonly MoleculeReward[],
  params: EnvParams,
): DiscreteEnv {
  const rewardName = textParam(params, 'reward', 'qed');
  const reward = rewards.find((r) => r.name === rewardName);
  if (!reward) {
    throw new UserError(
      `--reward: '${rewardName}' is not one of ${listNames(rewards.map((r) => r.name))}`,
    );
  }
  const scores = new ScoreCache(reward.create(rdkit, params));
  const shape = {
    beta: numberParam(params, 'beta', MOLECULE_DEFAULTS.beta),
    floor: numberParam(params, 'floor', 0.01),
  };
  const logReward = (smiles: readonly string[]) => scores.logRewards(smiles, shape);
  // The score back from log R = beta log max(floor, score); at the floor it reads "<= floor".
  const caption = (logR: number) => {
    const score = Math.exp(logR / shape.beta);
    return score <= shape.floor * (1 + 1e-9)
      ? `${reward.name} <= ${shape.floor}`
      : `${reward.name} ${score.toFixed(3)}`;
  };
  // Floored scores come back as the floor.
  const score = (logR: number) => Math.exp(logR / shape.beta);
  const threshold = numberParam(params, 'mode-threshold', 0.8);
  if (textParam(params, 'mode', 'fragments') === 'atoms') {
    const atoms = textParam(params, 'atoms', 'C,N,O')
      .split(',')
      .map((s) => s.trim());
    const unknown = atoms.filter((a) => !ATOM_TYPES[a]);
    if (unknown.length > 0 || atoms.length === 0) {
      throw new UserError(
        `--atoms: unknown element(s) ${unknown.join(', ')} (known: ${Object.keys(ATOM_TYPES).join(', ')})`,
      );
    }
    const env: AtomsEnv = new AtomsEnv(rdkit, {
      atoms,
      maxAtoms: numberParam(params, 'max-atoms', 6),
      logReward,
      ...(shape.beta > 0 ? { caption, score } : {}),
      tracker: () => new MoleculeTracker(rdkit, (s, n) => env.smiles(s, n), scores, threshold),
    });
    return env;
  }
  const vocab = textParam(params, 'vocab', '');
  const minFragments = numberParam(params, 'min-fragments', 2);
  const maxFragments = numberParam(params, 'max-fragments', 8);
  if (minFragments > maxFragments) {
    throw new UserError(`--min-fragments ${minFragments} is above --max-fragments ${maxFragments}`);
  }
  const env: FragmentsEnv = new FragmentsEnv(rdkit, {
    fragments: vocab === '' ? defaultVocabulary(rdkit) : readVocabularyFile(rdkit, vocab),
    minFragments,
    maxFragments,
    maxStems: numberParam(params, 'max-stems', 6),
    logReward,
    ...(shape.beta > 0 ? { caption, score } : {}),
    tracker: () => new MoleculeTracker(rdkit, (s, n) => env.smiles(s, n), scores, threshold),
  });
  return env;
}

const rdkit = await loadRDKit();

/**
 * Registers `--env molecule`, the rewards qed, logp and proxy, and the `gfn molecule` commands. Importing this module loads
 * RDKit (WASM), which the env's factory needs synchronously.
 */
export const moleculeModule = new ContainerModule(({ bind }) => {
  bind<MoleculeReward>(MoleculeReward).toConstantValue(qedReward);
  bind<MoleculeReward>(MoleculeReward).toConstantValue(logpReward);
  bind<MoleculeReward>(MoleculeReward).toConstantValue(proxyReward);
  bind(EnvFactory).toDynamicValue((ctx) =>
    moleculeFactory(rdkit, ctx.getAll<MoleculeReward>(MoleculeReward)),
  );
  for (const command of MOLECULE_COMMANDS) bind(CommandContribution).toConstantValue(command);
});

export default moleculeModule;
