/**
 * Cycles in a dependency graph (id → ids it depends on), one per strongly connected component
 * with more than one node (or a self-loop), each as a path starting at its smallest id:
 * `['a', 'b']` means a -> b -> a. Tarjan's algorithm, iterative-enough for plugin counts.
 */
export function findCycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];

  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) sccs.push(scc);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);

  return sccs.map((scc) => cyclePath(scc, edges));
}

/** A concrete cycle through the component, from its smallest id, following smallest ids first. */
function cyclePath(scc: string[], edges: Map<string, string[]>): string[] {
  const members = new Set(scc);
  const start = [...scc].sort()[0] as string;
  const path = [start];
  const seen = new Set([start]);
  const walk = (v: string): boolean => {
    for (const w of [...(edges.get(v) ?? [])].filter((x) => members.has(x)).sort()) {
      if (w === start) return true;
      if (seen.has(w)) continue;
      seen.add(w);
      path.push(w);
      if (walk(w)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return path;
}
