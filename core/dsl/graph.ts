/** Relationship graph checks: cycles (iterative, O(nodes + relationships)) and hosts along contained_in. */

/** Returns the nodes of one cycle, in order, or null when the graph is acyclic. */
export function findCycle(
  nodes: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): string[] | null {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = new Map<string, number>();
  for (const n of nodes) color.set(n, WHITE);
  for (const start of nodes) {
    if (color.get(start) !== WHITE) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    color.set(start, GREY);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: string; next: number };
      const out = edges.get(top.node) ?? [];
      if (top.next < out.length) {
        const to = out[top.next++] as string;
        const c = color.get(to);
        if (c === GREY) {
          const from = stack.findIndex((s) => s.node === to);
          return [...stack.slice(from).map((s) => s.node), to];
        }
        if (c === WHITE) {
          color.set(to, GREY);
          stack.push({ node: to, next: 0 });
        }
      } else {
        color.set(top.node, BLACK);
        stack.pop();
      }
    }
  }
  return null;
}
