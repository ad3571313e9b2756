export { ZOO, ZOO_EXTERNS, type ZooEnv, zooModule, zooModule as default } from './module.js';
export { parsimony } from './parsimony.js';
export { TRAIN_MATRIX } from './train-matrix.js';
