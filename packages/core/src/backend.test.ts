import * as tf from '@tensorflow/tfjs';
import { initBackend, registerTransposeFreeMatMulGrad } from './backend.js';

function expectClose(got: tf.Tensor, want: tf.Tensor): void {
  expect(got.shape).toEqual(want.shape);
  const w = want.dataSync();
  got.dataSync().forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 4));
}

describe('the transpose-free matMul gradient', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matches the analytic gradient with transposeA=%s transposeB=%s', (ta, tb) => {
    const a = tf.tensor2d([1, -2, 0.5, 3, 4, -1], ta ? [3, 2] : [2, 3]);
    const b = tf.tensor2d(
      [0.3, 1, -1, 2, 0.5, -0.7, 1.5, 0.2, -0.4, 0.9, 1.1, -2],
      tb ? [4, 3] : [3, 4],
    );
    const w = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w));
    registerTransposeFreeMatMulGrad();
    const [ga, gb] = tf.grads(f)([a, b]);
    // d/dA sum(W * AB) = W B^T and d/dB = A^T W, in the operands' own layouts.
    const A = ta ? tf.transpose(a) : a;
    const B = tb ? tf.transpose(b) : b;
    const wantA = tf.matMul(w, tf.transpose(B));
    const wantB = tf.matMul(tf.transpose(A), w);
    expectClose(ga!, ta ? tf.transpose(wantA) : wantA);
    expectClose(gb!, tb ? tf.transpose(wantB) : wantB);
  });
});
