/**
 * '@gflownet/core/tf': the TensorFlow.js namespace the core computes with. Plugins take tf from
 * here so that their tensors live on the same backend instance as the core's.
 */
export * from '@tensorflow/tfjs';
