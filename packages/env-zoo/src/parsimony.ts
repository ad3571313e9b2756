/**
 * The parsimony score of a rooted binary tree given as its set of clades (Fitch, 1971): the
 * fewest mutations along its branches that explain the sequences at its leaves, summed over the
 * sites. `clades` has 2^n entries (entry c is 1 when the species in bitmask c form a subtree);
 * `sequences` holds n rows of equal length, row by row, with letters as small integers.
 */
export function parsimony(clades: readonly number[], sequences: readonly number[]): number {
  const n = Math.round(Math.log2(clades.length));
  if (2 ** n !== clades.length || n < 1 || sequences.length % n !== 0) {
    throw new Error(
      `parsimony needs 2^n clade entries and n sequences; got ${clades.length} and ${sequences.length} letters`,
    );
  }
  const sites = sequences.length / n;
  const present = [...clades.keys()].filter((c) => c > 0 && clades[c]);
  const inside = (c: number, d: number) => c !== d && (c & d) === c;
  // The tree once: each inner clade with its two children (its largest present proper parts),
  // smaller clades first so that children come before their parent.
  const inner = present
    .filter((c) => (c & (c - 1)) !== 0)
    .sort((x, y) => popcount(x) - popcount(y))
    .map((c) => {
      const [a, b, more] = present.filter(
        (a) => inside(a, c) && !present.some((b) => inside(a, b) && inside(b, c)),
      );
      if (a === undefined || b === undefined || more !== undefined || (a | b) !== c) {
        throw new Error(`clade ${c} is not split into two present clades: not a binary tree`);
      }
      return [c, a, b] as const;
    });
  const sets = new Int32Array(clades.length);
  let score = 0;
  for (let s = 0; s < sites; s++) {
    for (let i = 0; i < n; i++) sets[1 << i] = 1 << sequences[i * sites + s]!;
    for (const [c, a, b] of inner) {
      const both = sets[a]! & sets[b]!;
      if (both) sets[c] = both;
      else {
        sets[c] = sets[a]! | sets[b]!;
        score += 1;
      }
    }
  }
  return score;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
