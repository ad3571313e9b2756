import { fileURLToPath } from 'node:url';
import { ContainerModule, EnvFactory } from '@gflownet/core';
import { SpecExtern, type SpecEnvClass, loadSpecFile, specEnvFactory } from '@gflownet/dsl';
import { parsimony } from './parsimony.js';

/** One environment of the zoo: its spec file and where it comes from. */
export interface ZooEnv {
  name: string;
  /** The paper (or task) the env follows. */
  source: string;
  /** Path of the .gfn spec (it ships in the package's specs/ folder). */
  specPath: string;
  EnvClass: SpecEnvClass;
}

/** The extern functions the zoo's specs call (phylo's parsimony score). */
export const ZOO_EXTERNS: SpecExtern[] = [
  {
    name: 'parsimony',
    fn: (clades, sequences) => parsimony(clades as number[], sequences as number[]),
  },
];

const SOURCES: [string, string][] = [
  ['ising', 'Ising model on a periodic lattice (torchgfn DiscreteEBM; Zhang et al., 2022)'],
  ['bayesnet', 'Bayesian-network structure learning (DAG-GFlowNet; Deleu et al., 2022)'],
  ['bitseq', 'bit sequences written word by word (Malkin et al., 2022)'],
  ['tfbind', 'TFBind-style DNA design over a lookup table (Jain et al., 2022)'],
  ['set', 'choose k of n items with pairwise interactions (Pan et al., 2023)'],
  ['knapsack', 'knapsack packing under a capacity'],
  ['mis', 'maximum independent set (Zhang et al., 2023)'],
  ['prepend_append', 'sequences grown at either end (Shen et al., 2023)'],
  ['phylo', 'phylogenetic trees scored by parsimony (PhyloGFN; Zhou et al., 2024)'],
];

const externs = Object.fromEntries(ZOO_EXTERNS.map((x) => [x.name, x.fn]));

/** Every env of the zoo, compiled from its spec. */
export const ZOO: ZooEnv[] = SOURCES.map(([name, source]) => {
  const specPath = fileURLToPath(new URL(`../specs/${name}.gfn`, import.meta.url));
  return { name, source, specPath, EnvClass: loadSpecFile(specPath, { externs }) };
});

/**
 * Registers the zoo's envs for `gfn train --env NAME` and its extern functions, so that a copy
 * of a zoo spec also compiles with `--plugin @gflownet/env-zoo`.
 */
export const zooModule = new ContainerModule(({ bind }) => {
  for (const z of ZOO) bind(EnvFactory).toConstantValue(specEnvFactory(z.EnvClass, z.source));
  for (const x of ZOO_EXTERNS) bind(SpecExtern).toConstantValue(x);
});

export default zooModule;
