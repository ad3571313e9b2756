/** '@gflownet/core/policies': estimators, the policy model and the backward policies. */
export type { Estimator, SerializedEstimator, SerializedTensor } from './estimator.js';
export { MlpEstimator, type MlpConfig } from './mlp.js';
export { TabularEstimator } from './tabular.js';
export {
  MASKED,
  PolicyModel,
  type PolicyHeads,
  type PolicyOutputs,
  type SerializedModel,
  policyProbabilities,
  softmaxRow,
} from './model.js';
export {
  type BackwardPolicy,
  BackwardPolicyPlugin,
  EnvBackward,
  LearnedBackward,
  UniformBackward,
  backwardProbabilities,
} from './backward.js';
