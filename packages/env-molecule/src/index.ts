export { ATOM_TYPES, type AtomType, AtomsEnv, type AtomsEnvOptions } from './atoms-env.js';
export {
  QED_WEIGHTS,
  QedCalculator,
  type QedProperties,
  desirability,
  qedFromProperties,
} from './chem/qed.js';
export {
  type Descriptors,
  type MolGraph,
  type RDKit,
  canonicalSmiles,
  descriptors,
  loadRDKit,
  molGraph,
  withMol,
} from './chem/rdkit.js';
export { MORGAN, morganFingerprint, tanimoto } from './chem/fingerprint.js';
export {
  ModeCounter,
  type SampleSummary,
  meanPairwiseTanimoto,
  summarizeSamples,
  topKMean,
} from './metrics.js';
export {
  LogPScorer,
  type MoleculeScorer,
  QedScorer,
  type RewardShape,
  shapedLogReward,
} from './rewards.js';
export {
  MAX_SMILES_ATOMS,
  MAX_SMILES_LENGTH,
  type ScoreRow,
  countSmilesAtoms,
  scoreSmiles,
} from './score.js';
export { moleculeCommand, moleculeHelp } from './cli.js';
