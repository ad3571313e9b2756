import type { Mol } from './rdkit.js';

/** Morgan fingerprint options of the molecule metrics: radius 2, 2048 bits. */
export const MORGAN = { radius: 2, nBits: 2048 } as const;
const MORGAN_JSON = JSON.stringify(MORGAN);

/** The Morgan fingerprint (radius 2, 2048 bits) packed 8 bits per byte. */
export function morganFingerprint(mol: Mol): Uint8Array {
  return Uint8Array.from(mol.get_morgan_fp_as_uint8array(MORGAN_JSON) as Uint8Array);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let c = 0;
  for (let x = b; x > 0; x >>= 1) c += x & 1;
  return c;
});

/** Tanimoto similarity |a and b| / |a or b| of two packed fingerprints (1 when both are empty). */
export function tanimoto(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += POPCOUNT[a[i]! & b[i]!]!;
    either += POPCOUNT[a[i]! | b[i]!]!;
  }
  return either === 0 ? 1 : both / either;
}
