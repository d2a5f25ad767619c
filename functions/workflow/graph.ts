/**
 * Task graph builder (Cloudify's TaskDependencyGraph, as pure data).
 *
 * Workflows add tasks to containers (the graph or nested subgraphs), order them with `sequence` and
 * `dependsOn`, and call `build()` once. The built graph is what the engine stores, so `build()` also
 * shapes it for storage and execution:
 * - subgraph boundaries become joins only where they save edges (a boundary with one side of size <= 1
 *   is contracted away);
 * - linear chains of local tasks of one node instance are merged into one task (fewer writes and hops);
 * - one sink `__end__` depends, through joins, on every task without dependents;
 * - no task has more than MAX_FAN dependencies or dependents (join trees are inserted), which bounds the
 *   per-task item sizes and writes in the store.
 * Everything is O(tasks + edges) and deterministic: same calls in the same order, same ids.
 */
import { NonRetryableError } from '../../core/errors.ts';
import type { GraphTask, LocalAction, TaskGraph } from '../../core/model.ts';
import { END_TASK_ID, MAX_FAN } from '../../core/model.ts';

/** What `sequence`/`dependsOn` accept: a task or a subgraph. */
export type GraphItem = GraphTask | Subgraph;
/** In a sequence: an item, a parallel group (array), or null/undefined for a skipped (no-op) step. */
export type SequenceStep = GraphItem | readonly (GraphItem | null | undefined)[] | null | undefined;

interface Edge {
  /** runs first */
  before: GraphItem;
  /** runs after `before` */
  after: GraphItem;
}

/** A set of items that other items can depend on (or be depended on by) as a whole. */
export class Subgraph {
  readonly members: GraphItem[] = [];
  /** @internal */ parallelCount = 0;

  /** @internal use `builder.subgraph()` or `subgraph.subgraph()` */
  constructor(
    readonly builder: TaskGraphBuilder,
    /** unique within the graph; recorded on its tasks as `GraphTask.subgraph` */
    readonly id: string,
    readonly parent: Subgraph | null,
    /** anonymous groups (parallel steps) do not name the subgraph of their tasks */
    readonly transparent = false,
  ) {}

  /** Adds tasks or subgraphs to this container (an item already here is left as is). */
  add(...items: (GraphItem | null | undefined)[]): this {
    for (const item of items) if (item) this.builder.adopt(this, item);
    return this;
  }

  /** A nested subgraph. */
  subgraph(id: string): Subgraph {
    const sub = new Subgraph(this.builder, this.builder.claimSubgraphId(id), this, false);
    this.members.push(sub);
    return sub;
  }

  /**
   * Adds the steps to this container and makes each run after the previous one. A step that is an
   * array runs its members in parallel; null steps (no-op operations) are skipped.
   */
  sequence(...steps: SequenceStep[]): this {
    let previous: GraphItem | null = null;
    for (const step of steps) {
      const item = this.stepItem(step);
      if (!item) continue;
      this.add(item);
      if (previous) this.builder.dependsOn(item, previous);
      previous = item;
    }
    return this;
  }

  private stepItem(step: SequenceStep): GraphItem | null {
    if (!step) return null;
    if (!Array.isArray(step)) return step as GraphItem;
    const items = step.filter((s): s is GraphItem => Boolean(s));
    if (items.length === 0) return null;
    if (items.length === 1) return items[0] as GraphItem;
    this.parallelCount += 1;
    const group = new Subgraph(
      this.builder,
      this.builder.claimSubgraphId(`${this.id}.parallel.${this.parallelCount}`),
      this,
      true,
    );
    this.members.push(group);
    group.add(...items);
    return group;
  }

  /** Nearest named subgraph id (what tasks of this container record), null at the graph's root. */
  namedId(): string | null {
    let s: Subgraph | null = this;
    while (s?.transparent) s = s.parent;
    return s && s.parent !== null ? s.id : null;
  }
}

// ---------- internal node table used by build() ----------

interface GNode {
  id: string;
  /** named subgraph of the task (from its container) */
  subgraph: string | null;
  /** null: a subgraph boundary that may be contracted or become a join */
  task: GraphTask | null;
  actions: LocalAction[];
  preds: Set<number>;
  succs: Set<number>;
  alive: boolean;
}

export class TaskGraphBuilder {
  /** the graph itself is the root container */
  readonly root: Subgraph;
  private readonly tasks: GraphTask[] = [];
  private readonly owner = new Map<GraphTask, Subgraph>();
  private readonly taskIds = new Set<string>();
  private readonly subgraphIds = new Set<string>();
  private readonly edges: Edge[] = [];
  private built = false;

  constructor() {
    this.root = new Subgraph(this, '', null, false);
  }

  /** Adds tasks or subgraphs at the top level. */
  add(...items: (GraphItem | null | undefined)[]): this {
    this.root.add(...items);
    return this;
  }

  subgraph(id: string): Subgraph {
    return this.root.subgraph(id);
  }

  sequence(...steps: SequenceStep[]): Subgraph {
    return this.root.sequence(...steps);
  }

  /** `after` starts only when `before` (every task of it, for a subgraph) has finished. */
  dependsOn(after: GraphItem, before: GraphItem): void {
    if (after === before)
      throw new NonRetryableError(`Task graph: ${itemName(after)} cannot depend on itself`);
    this.edges.push({ before, after });
  }

  /** True when a task with this id was added. */
  hasTask(id: string): boolean {
    return this.taskIds.has(id);
  }

  /** @internal */
  claimSubgraphId(id: string): string {
    let unique = id;
    for (let n = 2; this.subgraphIds.has(unique); n++) unique = `${id}.${n}`;
    this.subgraphIds.add(unique);
    return unique;
  }

  /** @internal puts an item in a container; an item lives in exactly one container */
  adopt(container: Subgraph, item: GraphItem): void {
    if (item instanceof Subgraph) {
      if (item.builder !== this)
        throw new NonRetryableError(`Task graph: subgraph ${item.id} is from another graph`);
      if (item.parent !== container) {
        throw new NonRetryableError(
          `Task graph: subgraph ${item.id} already belongs to ${containerName(item.parent)}`,
        );
      }
      return; // subgraphs are created inside their container
    }
    const current = this.owner.get(item);
    if (current === container) return;
    if (current) {
      throw new NonRetryableError(
        `Task graph: task ${item.id} already belongs to ${containerName(current)}, not ${containerName(container)}`,
      );
    }
    if (item.id === END_TASK_ID || this.taskIds.has(item.id)) {
      throw new NonRetryableError(`Task graph: duplicate task id ${item.id}`);
    }
    this.taskIds.add(item.id);
    this.owner.set(item, container);
    this.tasks.push(item);
    container.members.push(item);
  }

  build(): TaskGraph {
    if (this.built) throw new NonRetryableError('Task graph: build() was already called');
    this.built = true;
    const nodes: GNode[] = [];
    const newNode = (id: string, task: GraphTask | null, subgraph: string | null = null): number => {
      const actions = task?.actions ? [...task.actions] : [];
      nodes.push({ id, subgraph, task, actions, preds: new Set(), succs: new Set(), alive: true });
      return nodes.length - 1;
    };
    const link = (from: number, to: number): void => {
      if (from === to) return;
      (nodes[from] as GNode).succs.add(to);
      (nodes[to] as GNode).preds.add(from);
    };

    // 1. nodes: tasks, and a start/end boundary per subgraph
    const taskIndex = new Map<GraphTask, number>();
    for (const t of this.tasks)
      taskIndex.set(t, newNode(t.id, t, t.subgraph ?? this.owner.get(t)?.namedId() ?? null));
    const bounds = new Map<Subgraph, { start: number; end: number }>();
    const subgraphs: Subgraph[] = [];
    const collect = (s: Subgraph): void => {
      for (const m of s.members) {
        if (m instanceof Subgraph) {
          subgraphs.push(m);
          bounds.set(m, { start: newNode(`${m.id}#start`, null), end: newNode(`${m.id}#end`, null) });
          collect(m);
        }
      }
    };
    collect(this.root);
    const entryOf = (item: GraphItem): number => {
      if (item instanceof Subgraph) {
        const b = bounds.get(item);
        if (!b) throw new NonRetryableError(`Task graph: subgraph ${item.id} was not added to the graph`);
        return b.start;
      }
      const i = taskIndex.get(item);
      if (i === undefined)
        throw new NonRetryableError(`Task graph: task ${item.id} was not added to the graph`);
      return i;
    };
    const exitOf = (item: GraphItem): number =>
      item instanceof Subgraph ? (bounds.get(item)?.end ?? entryOf(item)) : entryOf(item);
    const parentOf = (item: GraphItem): Subgraph | null =>
      item instanceof Subgraph ? item.parent : (this.owner.get(item) ?? null);

    // 2. declared edges; an edge between siblings makes `after` no entry and `before` no exit of their container
    const notEntry = new Set<GraphItem>();
    const notExit = new Set<GraphItem>();
    for (const { before, after } of this.edges) {
      link(exitOf(before), entryOf(after));
      if (parentOf(before) === parentOf(after)) {
        notEntry.add(after);
        notExit.add(before);
      }
    }
    // 3. subgraph boundaries: start -> entries, exits -> end
    for (const s of subgraphs) {
      const b = bounds.get(s) as { start: number; end: number };
      if (s.members.length === 0) link(b.start, b.end);
      for (const m of s.members) {
        if (!notEntry.has(m)) link(b.start, entryOf(m));
        if (!notExit.has(m)) link(exitOf(m), b.end);
      }
    }
    assertAcyclic(nodes);

    // 4. contract boundaries where that does not multiply edges; the rest become joins
    const joinIds = new JoinIds(this.taskIds);
    const worklist: number[] = [];
    for (let i = 0; i < nodes.length; i++) if (nodes[i]?.task === null) worklist.push(i);
    while (worklist.length > 0) {
      const v = worklist.pop() as number;
      const node = nodes[v] as GNode;
      if (!node.alive || node.task !== null) continue;
      if (node.preds.size > 1 && node.succs.size > 1) continue;
      node.alive = false;
      for (const p of node.preds) (nodes[p] as GNode).succs.delete(v);
      for (const s of node.succs) (nodes[s] as GNode).preds.delete(v);
      for (const p of node.preds) for (const s of node.succs) link(p, s);
      for (const n of [...node.preds, ...node.succs]) if ((nodes[n] as GNode).task === null) worklist.push(n);
      node.preds.clear();
      node.succs.clear();
    }
    for (const node of nodes) {
      if (node.alive && node.task === null) {
        node.task = joinTask(joinIds.next());
        node.id = node.task.id;
      }
    }

    // 5. merge chains of local tasks of one node instance
    for (let i = 0; i < nodes.length; i++) {
      const head = nodes[i] as GNode;
      if (!head.alive || !mergeable(head)) continue;
      while (head.succs.size === 1) {
        const next = head.succs.values().next().value as number;
        const tail = nodes[next] as GNode;
        if (tail.preds.size !== 1 || !mergeable(tail)) break;
        if (tail.task?.node_instance_id !== head.task?.node_instance_id) break;
        head.actions.push(...tail.actions);
        head.succs = tail.succs;
        for (const s of tail.succs) {
          const sn = nodes[s] as GNode;
          sn.preds.delete(next);
          sn.preds.add(i);
        }
        tail.alive = false;
        tail.succs = new Set();
        tail.preds.clear();
      }
    }

    // 6. the single sink
    const sinks: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as GNode;
      if (n.alive && n.succs.size === 0) sinks.push(i);
    }
    const end = newNode(END_TASK_ID, joinTask(END_TASK_ID));
    for (const s of sinks) link(s, end);

    // 7. fan limits: join trees above wide fan-ins, then below wide fan-outs
    const newJoin = (): number => {
      const id = joinIds.next();
      return newNode(id, joinTask(id));
    };
    const count = nodes.length;
    for (let i = 0; i < count; i++) if ((nodes[i] as GNode).alive) limitFan(nodes, i, 'preds', newJoin, link);
    const count2 = nodes.length;
    for (let i = 0; i < count2; i++)
      if ((nodes[i] as GNode).alive) limitFan(nodes, i, 'succs', newJoin, link);

    // 8. output in a topological order (ready tasks first), dependencies by id
    return { tasks: topologicalOrder(nodes).map((i) => toGraphTask(nodes, i)) };
  }
}

// ---------- helpers ----------

function itemName(item: GraphItem): string {
  return item instanceof Subgraph ? `subgraph ${item.id}` : `task ${item.id}`;
}

function containerName(s: Subgraph | null): string {
  return s === null || s.parent === null ? 'the graph' : `subgraph ${s.id}`;
}

function joinTask(id: string): GraphTask {
  return {
    id,
    kind: 'local',
    name: 'join',
    node_instance_id: null,
    dependencies: [],
    subgraph: null,
    actions: [],
  };
}

function mergeable(n: GNode): boolean {
  const t = n.task;
  return t !== null && t.kind === 'local' && t.name !== 'join' && t.node_instance_id !== null;
}

/** `join.<n>` ids that never collide with a workflow's own task ids. */
class JoinIds {
  private n = 0;
  constructor(private readonly taken: Set<string>) {}
  next(): string {
    let id: string;
    do {
      this.n += 1;
      id = `join.${this.n}`;
    } while (this.taken.has(id));
    return id;
  }
}

/** Replaces a fan (dependencies or dependents) wider than MAX_FAN by a tree of joins. */
function limitFan(
  nodes: GNode[],
  i: number,
  side: 'preds' | 'succs',
  newJoin: () => number,
  link: (from: number, to: number) => void,
): void {
  const node = nodes[i] as GNode;
  if (node[side].size <= MAX_FAN) return;
  let layer = [...node[side]];
  const other = side === 'preds' ? 'succs' : 'preds';
  for (const n of layer) (nodes[n] as GNode)[other].delete(i);
  node[side].clear();
  const connect = (a: number, b: number): void => (side === 'preds' ? link(a, b) : link(b, a));
  while (layer.length > MAX_FAN) {
    const next: number[] = [];
    for (let k = 0; k < layer.length; k += MAX_FAN) {
      const chunk = layer.slice(k, k + MAX_FAN);
      if (chunk.length === 1) {
        next.push(chunk[0] as number);
        continue;
      }
      const j = newJoin();
      for (const n of chunk) connect(n, j);
      next.push(j);
    }
    layer = next;
  }
  for (const n of layer) connect(n, i);
}

/** Kahn's algorithm over live nodes; throws naming the tasks on a cycle. */
function topologicalOrder(nodes: GNode[]): number[] {
  const indegree = new Map<number, number>();
  const queue: number[] = [];
  let alive = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as GNode;
    if (!n.alive) continue;
    alive += 1;
    indegree.set(i, n.preds.size);
    if (n.preds.size === 0) queue.push(i);
  }
  const order: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head] as number;
    order.push(i);
    for (const s of (nodes[i] as GNode).succs) {
      const d = (indegree.get(s) as number) - 1;
      indegree.set(s, d);
      if (d === 0) queue.push(s);
    }
  }
  if (order.length !== alive) {
    const stuck = [...indegree].filter(([, d]) => d > 0).map(([i]) => (nodes[i] as GNode).id);
    throw new NonRetryableError(
      `Task graph has a dependency cycle through: ${stuck.slice(0, 10).join(', ')}${stuck.length > 10 ? ', ...' : ''}`,
    );
  }
  return order;
}

function assertAcyclic(nodes: GNode[]): void {
  topologicalOrder(nodes);
}

function toGraphTask(nodes: GNode[], i: number): GraphTask {
  const n = nodes[i] as GNode;
  const t = n.task as GraphTask;
  const out: GraphTask = {
    ...t,
    subgraph: n.subgraph,
    dependencies: [...n.preds].map((p) => (nodes[p] as GNode).id),
  };
  if (t.kind === 'local') out.actions = n.actions;
  return out;
}
