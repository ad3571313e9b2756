/** Typed arrays as base64 text, so that they cross a queue's JSON intact. */
export function encode(a: Int32Array | Float64Array | Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** A copy of the bytes, aligned for any typed array. */
function bytes(text: string): ArrayBuffer {
  const b = Buffer.from(text, 'base64');
  const out = new Uint8Array(b.length);
  out.set(b);
  return out.buffer;
}

export const decodeInt32 = (text: string): Int32Array => new Int32Array(bytes(text));
export const decodeFloat64 = (text: string): Float64Array => new Float64Array(bytes(text));

/** Weights as one buffer (the arrays one after the other) and back, given their sizes. */
export function packWeights(weights: readonly Float32Array[]): Buffer {
  return Buffer.concat(weights.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength)));
}

export function unpackWeights(buffer: Buffer, sizes: readonly number[]): Float32Array[] {
  const all = new Float32Array(bytes(buffer.toString('base64')));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (all.length !== total) {
    throw new Error(`the weights hold ${all.length} numbers; the network has ${total}`);
  }
  const out: Float32Array[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}
