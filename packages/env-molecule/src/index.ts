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
