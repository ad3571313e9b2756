/** Every point of {0..height-1}^ndim as one batch of states, first coordinate fastest. */
export function allGridStates(ndim: number, height: number): Int32Array {
  const n = height ** ndim;
  const out = new Int32Array(n * ndim);
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let d = 0; d < ndim; d++) {
      out[i * ndim + d] = r % height;
      r = Math.floor(r / height);
    }
  }
  return out;
}
