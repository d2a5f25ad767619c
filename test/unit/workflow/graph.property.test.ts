import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphTask, TaskGraph } from '../../../core/model.ts';
import { type GraphItem, Subgraph, TaskGraphBuilder } from '../../../functions/workflow/graph.ts';
import { checkGraph, precedes } from './fixtures.ts';

/**
 * A random builder program: items 0..n-1 (tasks or subgraphs, each placed in an earlier subgraph or at
 * the top) and edges that only go from a lower item to a higher one, so the program has no cycle.
 */
const programs = fc.record({
  items: fc.array(
    fc.record({
      kind: fc.constantFrom('local', 'local', 'operation', 'subgraph'),
      instance: fc.integer({ min: 0, max: 3 }),
      parent: fc.nat(),
    }),
    { minLength: 1, maxLength: 60 },
  ),
  edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }),
  wide: fc.boolean(),
});

type Program = typeof programs extends fc.Arbitrary<infer T> ? T : never;

/** how many declared edges the runs checked (the property must not pass vacuously) */
const checked = { declared: 0 };

function runProgram(p: Program): { graph: TaskGraph; before: Map<string, Set<string>> } {
  const b = new TaskGraphBuilder();
  const items: GraphItem[] = [];
  const leaves = new Map<GraphItem, string[]>();
  p.items.forEach((spec, i) => {
    const subgraphIndexes = items.flatMap((it, k) => (it instanceof Subgraph ? [k] : []));
    const parentIndex =
      subgraphIndexes.length > 0 ? subgraphIndexes[spec.parent % (subgraphIndexes.length + 1)] : undefined;
    const parent = parentIndex === undefined ? b.root : (items[parentIndex] as Subgraph);
    let item: GraphItem;
    if (spec.kind === 'subgraph') {
      item = parent.subgraph(`s${i}`);
      // a marker for the subgraph itself, so that enclosing subgraphs' ranges cover it even when empty
      leaves.set(item, [`#s${i}`]);
    } else {
      const id = `t${i}`;
      const task: GraphTask = {
        id,
        kind: spec.kind === 'local' ? 'local' : 'operation',
        name: spec.kind === 'local' ? 'send_event' : 'op',
        node_instance_id: `i${spec.instance}`,
        dependencies: [],
        subgraph: null,
        // the event message names the task, to find it after merging
        ...(spec.kind === 'local' ? { actions: [{ type: 'event' as const, message: id }] } : {}),
      };
      parent.add(task);
      item = task;
      leaves.set(item, [id]);
    }
    // every task is a leaf of each enclosing subgraph
    for (let s: Subgraph | null = parent; s && s !== b.root; s = s.parent)
      leaves.get(s)?.push(...(leaves.get(item) ?? []));
    items.push(item);
  });
  const wideEdges: [GraphItem, GraphItem][] = [];
  if (p.wide) {
    // a task with many dependents, each of them a dependency of one task with many dependencies
    const op = (id: string): GraphTask => ({
      id,
      kind: 'operation',
      name: 'op',
      node_instance_id: 'w',
      dependencies: [],
      subgraph: null,
    });
    const head = op('wide_head');
    const tail = op('wide_tail');
    b.add(head, tail);
    leaves.set(head, [head.id]);
    leaves.set(tail, [tail.id]);
    for (let i = 0; i < 70; i++) {
      const t = op(`w${i}`);
      b.add(t);
      leaves.set(t, [t.id]);
      b.dependsOn(t, head);
      b.dependsOn(tail, t);
      wideEdges.push([head, t], [t, tail]);
    }
  }
  const declared: [GraphItem, GraphItem][] = [...wideEdges];
  // creation index of every task, and the index range of an item's tasks (its own index when empty):
  // an edge is declared only from a range wholly before another, so the program has no cycle
  const indexOf = new Map<string, number>(
    items.map((it, k) => [it instanceof Subgraph ? `#${it.id}` : it.id, k]),
  );
  const range = (k: number): [number, number] => {
    const ids = leaves.get(items[k] as GraphItem) ?? [];
    const ks = ids.map((id) => {
      const at = indexOf.get(id);
      if (at === undefined) throw new Error(`no index for ${id}`);
      return at;
    });
    return ks.length === 0 ? [k, k] : [Math.min(...ks), Math.max(...ks)];
  };
  const n = p.items.length;
  for (const [x, y] of p.edges) {
    const [a, c] = [x % n, y % n];
    if (range(a)[1] < range(c)[0]) {
      b.dependsOn(items[c] as GraphItem, items[a] as GraphItem);
      declared.push([items[a] as GraphItem, items[c] as GraphItem]);
    } else if (range(c)[1] < range(a)[0]) {
      b.dependsOn(items[a] as GraphItem, items[c] as GraphItem);
      declared.push([items[c] as GraphItem, items[a] as GraphItem]);
    }
  }
  checked.declared += declared.length;
  const before = new Map<string, Set<string>>();
  for (const [lo, hi] of declared) {
    const tasksOf = (it: GraphItem) => (leaves.get(it) ?? []).filter((id) => !id.startsWith('#'));
    for (const h of tasksOf(hi)) {
      const set = before.get(h) ?? new Set<string>();
      for (const l of tasksOf(lo)) set.add(l);
      before.set(h, set);
    }
  }
  return { graph: b.build(), before };
}

/** Where each original task ended up: its own id, or the merged local task holding its event. */
function locate(graph: TaskGraph): Map<string, { id: string; position: number }> {
  const out = new Map<string, { id: string; position: number }>();
  for (const t of graph.tasks) {
    out.set(t.id, { id: t.id, position: 0 });
    (t.actions ?? []).forEach((a, k) => {
      if (a.type === 'event') out.set(a.message, { id: t.id, position: k });
    });
  }
  return out;
}

describe('TaskGraphBuilder on random programs', () => {
  it('always builds a valid graph (one sink, fan limits, no cycle) that keeps every declared order', () => {
    fc.assert(
      fc.property(programs, (p) => {
        const { graph, before } = runProgram(p);
        checkGraph(graph);
        const where = locate(graph);
        for (const [after, set] of before) {
          for (const first of set) {
            const a = where.get(first);
            const z = where.get(after);
            expect(a && z).toBeTruthy();
            if (!a || !z) return;
            if (a.id === z.id) expect(a.position).toBeLessThan(z.position);
            else expect(precedes(graph, a.id, z.id)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(checked.declared).toBeGreaterThan(3000);
  });

  it('is deterministic for a random program', () => {
    fc.assert(
      fc.property(programs, (p) => {
        expect(runProgram(p).graph).toEqual(runProgram(p).graph);
      }),
      { numRuns: 50 },
    );
  });
});
