import * as tf from '@tensorflow/tfjs';

/**
 * A trainable function from a batch of states to a [n, outDim] tensor. The policy model slices its
 * output into forward logits, backward logits and a state log-flow.
 */
export interface Estimator {
  readonly outDim: number;
  readonly variables: tf.Variable[];
  /** Returns [n, outDim]; call inside `tf.tidy` or dispose the result. */
  apply(states: Int32Array, n: number): tf.Tensor2D;
  /** Everything needed to rebuild the estimator, weights included. */
  toJSON(): SerializedEstimator;
  dispose(): void;
}

export interface SerializedTensor {
  shape: number[];
  /** Little-endian float32, base64. */
  data: string;
}

export interface SerializedEstimator {
  type: string;
  config: Record<string, unknown>;
  weights: SerializedTensor[];
}

export function serializeTensor(t: tf.Tensor): SerializedTensor {
  return serializeValues(t.dataSync() as Float32Array, t.shape);
}

/** Float32 values of the given shape, as a tensor would serialize. */
export function serializeValues(values: Float32Array, shape: readonly number[]): SerializedTensor {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return { shape: shape.slice(), data: bytes.toString('base64') };
}

export function deserializeTensor(s: SerializedTensor): Float32Array {
  const bytes = Buffer.from(s.data, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
