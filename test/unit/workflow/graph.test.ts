import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../../core/errors.ts';
import type { GraphTask } from '../../../core/model.ts';
import { END_TASK_ID, MAX_FAN } from '../../../core/model.ts';
import { TaskGraphBuilder } from '../../../functions/workflow/graph.ts';
import { checkGraph, concurrent, precedes } from './fixtures.ts';

function local(
  id: string,
  instance: string | null = 'i1',
  state: 'creating' | 'created' = 'creating',
): GraphTask {
  return {
    id,
    kind: 'local',
    name: 'set_state',
    node_instance_id: instance,
    dependencies: [],
    subgraph: null,
    actions: [{ type: 'set_state', state }],
  };
}

function operation(id: string, instance = 'i1'): GraphTask {
  return {
    id,
    kind: 'operation',
    name: 'cloudify.interfaces.lifecycle.create',
    node_instance_id: instance,
    dependencies: [],
    subgraph: null,
    operation: {
      spec: {
        implementation: 'x.sh',
        inputs: {},
        executor: 'auto',
        max_retries: null,
        retry_interval: null,
        timeout: null,
      },
      target: 'central',
    },
  };
}

describe('TaskGraphBuilder', () => {
  it('ends every graph in one __end__ join, even an empty one', () => {
    const g = new TaskGraphBuilder().build();
    expect(g.tasks).toEqual([
      {
        id: END_TASK_ID,
        kind: 'local',
        name: 'join',
        node_instance_id: null,
        dependencies: [],
        subgraph: null,
        actions: [],
      },
    ]);
  });

  it('merges a chain of local tasks of one instance into one task with the actions in order', () => {
    const b = new TaskGraphBuilder();
    b.sequence(local('a', 'i1', 'creating'), local('b', 'i1', 'created'), local('c', 'i1', 'creating'));
    const g = b.build();
    checkGraph(g);
    expect(g.tasks.map((t) => t.id)).toEqual(['a', END_TASK_ID]);
    expect(g.tasks[0]?.actions?.map((a) => (a.type === 'set_state' ? a.state : a.message))).toEqual([
      'creating',
      'created',
      'creating',
    ]);
  });

  it('does not merge across an operation, another instance, or a fork', () => {
    const b = new TaskGraphBuilder();
    b.sequence(local('a'), operation('op'), local('b'), local('c', 'i2'));
    const x = local('x');
    const y = local('y');
    b.sequence(local('f'), [x, y]);
    const g = b.build();
    checkGraph(g);
    expect(g.tasks.map((t) => t.id).sort()).toEqual([END_TASK_ID, 'a', 'b', 'c', 'f', 'op', 'x', 'y'].sort());
  });

  it('merges the head of a chain that has many dependencies and the tail that has many dependents', () => {
    const b = new TaskGraphBuilder();
    const before = [operation('p1', 'p'), operation('p2', 'p')];
    const after = [operation('s1', 's'), operation('s2', 's')];
    const chain = b.subgraph('chain').sequence(local('c1'), local('c2'));
    b.add(...before, ...after);
    for (const p of before) b.dependsOn(chain, p);
    for (const s of after) b.dependsOn(s, chain);
    const g = b.build();
    const byId = checkGraph(g);
    expect(byId.has('c2')).toBe(false);
    expect(byId.get('c1')?.dependencies.sort()).toEqual(['p1', 'p2']);
    expect(byId.get('s1')?.dependencies).toEqual(['c1']);
  });

  it('orders every task of a subgraph after every task of the subgraph it depends on, through one join', () => {
    const b = new TaskGraphBuilder();
    const first = b.subgraph('first');
    const second = b.subgraph('second');
    const f = ['f1', 'f2', 'f3'].map((id) => operation(id, id));
    const s = ['s1', 's2', 's3'].map((id) => operation(id, id));
    first.add(...f);
    second.add(...s);
    b.dependsOn(second, first);
    const g = b.build();
    checkGraph(g);
    for (const x of f) for (const y of s) expect(precedes(g, x.id, y.id)).toBe(true);
    expect(concurrent(g, 'f1', 'f2')).toBe(true);
    // 3 x 3 would be 9 edges; the join makes it 6
    const edges = g.tasks.filter((t) => t.id !== END_TASK_ID).reduce((n, t) => n + t.dependencies.length, 0);
    expect(edges).toBe(6);
    expect(g.tasks.find((t) => t.id === 's1')?.subgraph).toBe('second');
  });

  it('keeps the order through an empty subgraph (a stand-in for an instance left out)', () => {
    const b = new TaskGraphBuilder();
    const a = b.subgraph('a').add(operation('a1', 'a'));
    const stub = b.subgraph('stub');
    const c = b.subgraph('c').add(operation('c1', 'c'));
    b.dependsOn(stub, a);
    b.dependsOn(c, stub);
    const g = b.build();
    checkGraph(g);
    expect(precedes(g, 'a1', 'c1')).toBe(true);
  });

  it(`keeps fan-in and fan-out within MAX_FAN (${MAX_FAN}) with 1,000 parallel tasks`, () => {
    const b = new TaskGraphBuilder();
    const root = operation('root', 'r');
    b.add(root);
    for (let i = 0; i < 1000; i++) {
      const t = operation(`t${i}`, `i${i}`);
      b.add(t);
      b.dependsOn(t, root);
    }
    const g = b.build();
    const byId = checkGraph(g);
    for (let i = 0; i < 1000; i++) expect(precedes(g, 'root', `t${i}`)).toBe(true);
    expect(byId.get(END_TASK_ID)?.dependencies.length).toBeLessThanOrEqual(MAX_FAN);
    // 1000/32 -> 32 joins on each side (+1 level): a few dozen joins, not hundreds
    const joins = g.tasks.filter((t) => t.name === 'join').length;
    expect(joins).toBeGreaterThan(60);
    expect(joins).toBeLessThan(80);
  });

  it('gives joins readable ids that do not collide with task ids', () => {
    const b = new TaskGraphBuilder();
    b.add(operation('join.1', 'x'));
    for (let i = 0; i < 40; i++) b.add(operation(`t${i}`, `i${i}`));
    const g = b.build();
    checkGraph(g);
    expect(g.tasks.filter((t) => t.name === 'join' && t.id !== END_TASK_ID).map((t) => t.id)).toEqual([
      'join.2',
      'join.3',
    ]);
  });

  it('refuses a dependency cycle, naming the tasks on it', () => {
    const b = new TaskGraphBuilder();
    const x = operation('x');
    const y = operation('y');
    b.add(x, y);
    b.dependsOn(x, y);
    b.dependsOn(y, x);
    expect(() => b.build()).toThrow(NonRetryableError);
    const b2 = new TaskGraphBuilder();
    const p = operation('p');
    const q = operation('q');
    b2.sequence(p, q);
    b2.dependsOn(p, q);
    expect(() => b2.build()).toThrow(/cycle through: p, q|cycle through: q, p/);
  });

  it('refuses duplicate task ids and a task in two containers', () => {
    const b = new TaskGraphBuilder();
    b.add(operation('same'));
    expect(() => b.add(operation('same'))).toThrow(/duplicate task id same/);
    const t = operation('t');
    b.subgraph('s1').add(t);
    expect(() => b.subgraph('s2').add(t)).toThrow(/already belongs to subgraph s1/);
  });

  it('builds the same graph for the same calls', () => {
    const make = () => {
      const b = new TaskGraphBuilder();
      const subs = Array.from({ length: 50 }, (_, i) =>
        b.subgraph(`s${i}`).sequence(local(`a${i}`, `i${i}`), operation(`o${i}`, `i${i}`)),
      );
      for (let i = 1; i < 50; i++) b.dependsOn(subs[i] as never, subs[0] as never);
      return b.build();
    };
    expect(make()).toEqual(make());
  });

  it('lists tasks so that every dependency comes before its dependents', () => {
    const b = new TaskGraphBuilder();
    const s = b.subgraph('s');
    s.sequence(operation('o1', 'a'), [operation('o2', 'b'), operation('o3', 'c')], operation('o4', 'd'));
    const g = b.build();
    const seen = new Set<string>();
    for (const t of g.tasks) {
      for (const d of t.dependencies) expect(seen.has(d)).toBe(true);
      seen.add(t.id);
    }
    expect(concurrent(g, 'o2', 'o3')).toBe(true);
    expect(precedes(g, 'o1', 'o4')).toBe(true);
  });
});
