import * as tf from '@tensorflow/tfjs';

/**
 * x[indices] along the first axis, differentiable on every backend. tfjs's own gather gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks; the gradient here scatters with
 * ScatterNd, which sums repeated indices and exists everywhere. The index tensors are made where
 * they are used: the gradient runs after the forward pass's intermediates are gone.
 */
export function gatherRows<T extends tf.Tensor>(x: T, indices: Int32Array): T {
  const shape = x.shape;
  const op = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.gather(input, tf.tensor1d(indices, 'int32')),
    gradFunc: (dy: tf.Tensor) =>
      tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), dy, shape),
  })) as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
