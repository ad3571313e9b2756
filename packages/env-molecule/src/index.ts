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
  type BatchScorer,
  LogPScorer,
  MoleculeReward,
  type MoleculeScorer,
  QedScorer,
  type RewardShape,
  ScoreCache,
  batchScorer,
  logpReward,
  qedReward,
  shapedLogReward,
} from './rewards.js';
export {
  MAX_SMILES_ATOMS,
  MAX_SMILES_LENGTH,
  type ScoreRow,
  countSmilesAtoms,
  scoreSmiles,
} from './score.js';
export { MOLECULE_COMMANDS } from './cli.js';
export { FragmentsEnv, type FragmentsEnvOptions } from './fragments-env.js';
export {
  DEFAULT_FRAGMENTS,
  type Fragment,
  defaultVocabulary,
  prepareVocabulary,
  readVocabularyFile,
} from './fragments/vocabulary.js';
export { type AtomGraph, atomGraph, toMolblock } from './chem/graph.js';
export { MoleculeTracker } from './tracker.js';
export {
  type ProxyInfo,
  ProxyScorer,
  fingerprintFeatures,
  proxyReward,
  readProxyFiles,
  saveProxy,
  trainProxy,
} from './proxy.js';
export { drawGrid } from './draw.js';
export { readScoresCsv } from './cli.js';
