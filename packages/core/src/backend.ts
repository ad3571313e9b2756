import * as tf from '@tensorflow/tfjs';
import { UserError } from './errors.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Extra detail for the log line, e.g. whether wasm runs with SIMD. */
  detail: string;
}

let current: BackendInfo | undefined;

/**
 * Selects the tensor backend. Without a preference: `@tensorflow/tfjs-node` when it loads (it is an
 * optional dependency whose native library may be missing), else wasm, else the pure-JS cpu
 * backend. With a preference, that backend or a UserError saying why it is unavailable.
 */
export async function initBackend(preference?: BackendName): Promise<BackendInfo> {
  if (current && (preference === undefined || preference === current.name)) return current;
  // Silences tfjs's console banners (e.g. the cpu backend's advice to install tfjs-node).
  tf.env().set('PROD', true);
  const order: BackendName[] = preference ? [preference] : [...BACKENDS];
  const failures: string[] = [];
  for (const name of order) {
    try {
      current = await activate(name);
      return current;
    } catch (err) {
      failures.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new UserError(`no tensor backend could be started (${failures.join('; ')})`);
}

/** The backend chosen by the last `initBackend`, if any. */
export function activeBackend(): BackendInfo | undefined {
  return current;
}

async function activate(name: BackendName): Promise<BackendInfo> {
  switch (name) {
    case 'node': {
      await import('@tensorflow/tfjs-node');
      await setBackend('tensorflow');
      return { name, detail: 'libtensorflow' };
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      // Node has SharedArrayBuffer, but the threaded wasm binary does not start there.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      await setBackend('wasm');
      registerTransposeFreeMatMulGrad();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return { name, detail: simd ? 'simd' : 'no simd' };
    }
    case 'cpu': {
      await setBackend('cpu');
      return { name, detail: 'pure JavaScript' };
    }
  }
}

async function setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return tf.transpose(t, perm);
}

/**
 * The wasm backend's matMul with transposeA/transposeB is 12-17x slower than an explicit transpose
 * followed by a plain matMul, and tfjs's default BatchMatMul gradient uses those flags. This
 * gradient computes the same values with explicit transposes: for C = A B, dA = dC B^T and
 * dB = A^T dC (with the operands' own transpose flags undone first and reapplied after).
 */
export function registerTransposeFreeMatMulGrad(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      const left = transposeA ? swapLastTwo(a) : a;
      const right = transposeB ? swapLastTwo(b) : b;
      const dy2 = dy as tf.Tensor;
      return {
        a: () => {
          const g = tf.matMul(dy2, swapLastTwo(right));
          return transposeA ? swapLastTwo(g) : g;
        },
        b: () => {
          const g = tf.matMul(swapLastTwo(left), dy2);
          return transposeB ? swapLastTwo(g) : g;
        },
      };
    },
  });
}
