/**
 * The longest path (in edges) of a directed graph given by child lists, by Kahn's topological
 * order; or, when the graph has a cycle, a node on one.
 */
export function longestPath(
  edges: readonly (readonly number[])[],
): { longest: number } | { cycleAt: number } {
  const n = edges.length;
  const indegree = new Int32Array(n);
  for (const out of edges) for (const c of out) indegree[c]!++;
  const queue: number[] = [];
  for (let s = 0; s < n; s++) if (indegree[s] === 0) queue.push(s);
  const dist = new Float64Array(n);
  let seen = 0;
  let longest = 0;
  while (queue.length > 0) {
    const s = queue.pop()!;
    seen++;
    longest = Math.max(longest, dist[s]!);
    for (const c of edges[s]!) {
      dist[c] = Math.max(dist[c]!, dist[s]! + 1);
      if (--indegree[c]! === 0) queue.push(c);
    }
  }
  if (seen < n) return { cycleAt: [...indegree.keys()].find((s) => indegree[s]! > 0)! };
  return { longest };
}
