import * as tf from '@tensorflow/tfjs';
import { GfnInternalError } from '../errors.js';
import type { DiscreteEnv } from '../env/env.js';
import { formatState, stateKey } from '../env/state-utils.js';
import type { Estimator, SerializedEstimator } from './estimator.js';
import { serializeTensor } from './estimator.js';

/**
 * One free row of outputs per state, for small enumerable spaces: exact-flow tests set the rows to
 * known values, and tabular GFlowNets are a useful baseline. Rows are picked with a one-hot matMul
 * (differentiable on every backend, unlike gather on wasm).
 */
export class TabularEstimator implements Estimator {
  readonly outDim: number;
  readonly variables: tf.Variable[];
  readonly table: tf.Variable;
  private readonly index = new Map<string, number>();

  constructor(
    private readonly env: DiscreteEnv,
    states: Int32Array,
    numStates: number,
    outDim: number,
    values?: Float32Array,
  ) {
    this.outDim = outDim;
    for (let i = 0; i < numStates; i++) this.index.set(stateKey(env, states, i), i);
    const init = values ?? new Float32Array(numStates * outDim);
    this.table = tf.variable(tf.tensor2d(init, [numStates, outDim]));
    this.variables = [this.table];
  }

  rowOf(states: Int32Array, i: number): number {
    const row = this.index.get(stateKey(this.env, states, i));
    if (row === undefined) {
      throw new GfnInternalError(
        'state',
        `tabular estimator has no row for state ${formatState(this.env, states, i)}`,
      );
    }
    return row;
  }

  apply(states: Int32Array, n: number): tf.Tensor2D {
    const rows = this.index.size;
    const onehot = new Float32Array(n * rows);
    for (let i = 0; i < n; i++) onehot[i * rows + this.rowOf(states, i)] = 1;
    return tf.tidy(() => tf.matMul(tf.tensor2d(onehot, [n, rows]), this.table));
  }

  toJSON(): SerializedEstimator {
    return {
      type: 'tabular',
      config: { outDim: this.outDim },
      weights: [serializeTensor(this.table)],
    };
  }

  dispose(): void {
    this.table.dispose();
  }
}
