/** Small deployment fixtures and graph-inspection helpers for the workflow tests. */
import type {
  Deployment,
  DeploymentNode,
  GraphTask,
  InstanceRelationship,
  JsonObject,
  NodeInstance,
  NodeInstanceState,
  OperationSpec,
  Operations,
  PlanRelationship,
  TaskGraph,
} from '../../../core/model.ts';
import { END_TASK_ID, MAX_FAN } from '../../../core/model.ts';
import type { WorkflowInput } from '../../../functions/workflow/index.ts';

export const LC = 'cloudify.interfaces.lifecycle.';
export const RL = 'cloudify.interfaces.relationship_lifecycle.';

export function op(implementation: string, extra: Partial<OperationSpec> = {}): OperationSpec {
  return {
    implementation,
    inputs: {},
    executor: 'auto',
    max_retries: null,
    retry_interval: null,
    timeout: null,
    ...extra,
  };
}

/** Lifecycle operations by short name -> script; keyed by full and short name like the parser does. */
export function lifecycle(ops: Record<string, string | OperationSpec>): Operations {
  const out: Operations = {};
  for (const [name, v] of Object.entries(ops)) {
    const spec = typeof v === 'string' ? op(v) : v;
    out[LC + name] = spec;
    out[name] = spec;
  }
  return out;
}

export const ALL_SCRIPTS = lifecycle({
  create: 'scripts/create.sh',
  configure: 'scripts/configure.sh',
  start: 'scripts/start.sh',
  stop: 'scripts/stop.sh',
  delete: 'scripts/delete.sh',
});

export interface NodeDef {
  id: string;
  types?: string[];
  operations?: Operations;
  properties?: JsonObject;
  /** [relationship type short name or full, target node, extra] */
  relationships?: {
    type: string;
    target: string;
    source_operations?: Operations;
    target_operations?: Operations;
    properties?: JsonObject;
  }[];
  instances?: number;
}

const REL_HIERARCHY: Record<string, string[]> = {
  'cloudify.relationships.depends_on': ['cloudify.relationships.depends_on'],
  'cloudify.relationships.connected_to': [
    'cloudify.relationships.depends_on',
    'cloudify.relationships.connected_to',
  ],
  'cloudify.relationships.contained_in': [
    'cloudify.relationships.depends_on',
    'cloudify.relationships.contained_in',
  ],
};

function relType(t: string): string {
  return t.startsWith('cloudify.') ? t : `cloudify.relationships.${t}`;
}

/**
 * A deployment from node definitions: instance ids `<node>_<k>`; contained_in sets host_id to the
 * Compute ancestor; relationships wire all instances of the target (all_to_all), or, for contained_in,
 * the k-th instance of the host when it has several.
 */
export function deployment(
  defs: NodeDef[],
  opts: { workflow?: string; parameters?: JsonObject; states?: Record<string, NodeInstanceState> } = {},
): WorkflowInput {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const isCompute = (d: NodeDef) => (d.types ?? []).includes('cloudify.nodes.Compute');
  const hostOf = (d: NodeDef, seen = new Set<string>()): string | undefined => {
    if (isCompute(d)) return d.id;
    const c = (d.relationships ?? []).find((r) => relType(r.type) === 'cloudify.relationships.contained_in');
    if (!c || seen.has(d.id)) return undefined;
    seen.add(d.id);
    const parent = byId.get(c.target);
    return parent ? hostOf(parent, seen) : undefined;
  };
  const nodes: DeploymentNode[] = defs.map((d) => {
    const n = d.instances ?? 1;
    const relationships: PlanRelationship[] = (d.relationships ?? []).map((r) => ({
      type: relType(r.type),
      type_hierarchy: REL_HIERARCHY[relType(r.type)] ?? [relType(r.type)],
      target_id: r.target,
      properties: r.properties ?? {},
      source_operations: r.source_operations ?? {},
      target_operations: r.target_operations ?? {},
    }));
    const host = hostOf(d);
    return {
      id: d.id,
      type: (d.types ?? ['cloudify.nodes.Root']).at(-1) as string,
      type_hierarchy: ['cloudify.nodes.Root', ...(d.types ?? [])],
      properties: d.properties ?? {},
      operations: d.operations ?? {},
      relationships,
      ...(host ? { host_id: host } : {}),
      deployment_id: 'dep',
      blueprint_id: 'bp',
      number_of_instances: n,
      deploy_number_of_instances: n,
      planned_number_of_instances: n,
      min_number_of_instances: 0,
      max_number_of_instances: -1,
    };
  });
  const instanceIds = (nodeId: string): string[] =>
    Array.from({ length: byId.get(nodeId)?.instances ?? 1 }, (_, k) => `${nodeId}_${k}`);
  const hostInstance = (d: NodeDef, k: number): string | null => {
    const host = hostOf(d);
    if (!host) return null;
    const ids = instanceIds(host);
    return ids[k % ids.length] ?? null;
  };
  const instances: NodeInstance[] = defs.flatMap((d) =>
    instanceIds(d.id).map((id, k) => {
      const relationships: InstanceRelationship[] = (d.relationships ?? []).flatMap((r) => {
        const targets = instanceIds(r.target);
        const chosen =
          relType(r.type) === 'cloudify.relationships.contained_in'
            ? [targets[k % targets.length] as string]
            : targets;
        return chosen.map((t) => ({ target_id: t, target_name: r.target, type: relType(r.type) }));
      });
      return {
        id,
        node_id: d.id,
        deployment_id: 'dep',
        host_id: hostInstance(d, k),
        state: opts.states?.[id] ?? 'uninitialized',
        runtime_properties: {},
        relationships,
        index: k,
        version: 1,
        scaling_groups: [],
      };
    }),
  );
  const dep: Deployment = {
    id: 'dep',
    blueprint_id: 'bp',
    inputs: {},
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    description: null,
    workflows: [],
    outputs: {},
    tenant_name: 'default_tenant',
    visibility: 'tenant',
  };
  return {
    workflow_id: opts.workflow ?? 'install',
    parameters: opts.parameters ?? {},
    deployment: dep,
    nodes,
    instances,
    defaults: { task_retries: 0, task_retry_interval: 1 },
  };
}

// ---------- graph inspection ----------

/** Checks the built-graph invariants; returns a map id -> task. */
export function checkGraph(graph: TaskGraph): Map<string, GraphTask> {
  const byId = new Map<string, GraphTask>();
  for (const t of graph.tasks) {
    if (byId.has(t.id)) throw new Error(`duplicate task id ${t.id}`);
    byId.set(t.id, t);
  }
  const dependents = new Map<string, number>();
  const position = new Map(graph.tasks.map((t, i) => [t.id, i]));
  for (const t of graph.tasks) {
    for (const d of t.dependencies) {
      if ((position.get(d) ?? Number.POSITIVE_INFINITY) > (position.get(t.id) as number))
        throw new Error(`${t.id} comes before its dependency ${d}: tasks must be in topological order`);
    }
    if (t.dependencies.length > MAX_FAN) throw new Error(`${t.id} has ${t.dependencies.length} dependencies`);
    if (new Set(t.dependencies).size !== t.dependencies.length)
      throw new Error(`${t.id} has duplicate dependencies`);
    for (const d of t.dependencies) {
      if (!byId.has(d)) throw new Error(`${t.id} depends on unknown ${d}`);
      dependents.set(d, (dependents.get(d) ?? 0) + 1);
    }
  }
  for (const [id, n] of dependents) if (n > MAX_FAN) throw new Error(`${id} has ${n} dependents`);
  const sinks = graph.tasks.filter((t) => !dependents.has(t.id));
  if (sinks.length !== 1 || sinks[0]?.id !== END_TASK_ID)
    throw new Error(`sinks: ${sinks.map((s) => s.id).join(', ')}`);
  const end = byId.get(END_TASK_ID) as GraphTask;
  if (end.kind !== 'local' || end.name !== 'join' || (end.actions ?? []).length !== 0)
    throw new Error('bad __end__');
  waves(graph); // throws on a cycle
  return byId;
}

/** Topological simulation: wave k holds the tasks that become ready once waves < k have finished. */
export function waves(graph: TaskGraph): string[][] {
  const remaining = new Map(graph.tasks.map((t) => [t.id, t.dependencies.length]));
  const dependents = new Map<string, string[]>();
  for (const t of graph.tasks)
    for (const d of t.dependencies) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  let ready = graph.tasks.filter((t) => t.dependencies.length === 0).map((t) => t.id);
  const out: string[][] = [];
  let done = 0;
  while (ready.length > 0) {
    out.push(ready);
    done += ready.length;
    const next: string[] = [];
    for (const id of ready) {
      for (const s of dependents.get(id) ?? []) {
        const r = (remaining.get(s) as number) - 1;
        remaining.set(s, r);
        if (r === 0) next.push(s);
      }
    }
    ready = next;
  }
  if (done !== graph.tasks.length) throw new Error('cycle: not every task became ready');
  return out;
}

/** True when `a` must finish before `b` starts (a is a transitive dependency of b). */
export function precedes(graph: TaskGraph, a: string, b: string): boolean {
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const stack = [...(byId.get(b)?.dependencies ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === a) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependencies ?? []));
  }
  return false;
}

export function concurrent(graph: TaskGraph, a: string, b: string): boolean {
  return a !== b && !precedes(graph, a, b) && !precedes(graph, b, a);
}

/** Id of the operation task `<short name>` of an instance (throws when absent). */
export function opTask(graph: TaskGraph, instance: string, name: string): string {
  const full = name.includes('.') ? name : LC + name;
  const t = graph.tasks.find(
    (x) => x.kind === 'operation' && x.node_instance_id === instance && x.name === full,
  );
  if (!t) throw new Error(`no ${full} task for ${instance}`);
  return t.id;
}

/** Id of the (possibly merged) local task that sets the instance's state to `state`. */
export function stateTask(graph: TaskGraph, instance: string, state: NodeInstanceState): string {
  const t = graph.tasks.find(
    (x) =>
      x.node_instance_id === instance &&
      (x.actions ?? []).some((a) => a.type === 'set_state' && a.state === state),
  );
  if (!t) throw new Error(`no set_state ${state} task for ${instance}`);
  return t.id;
}

/**
 * What happens to one instance, in execution order: `state:<s>`, `event:<msg>`, `op:<short name>`
 * (relationship ops: `op:<name>:<side>`). Valid when the instance's tasks form a chain.
 */
export function instanceTimeline(graph: TaskGraph, instance: string): string[] {
  const order = waves(graph).flat();
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const own = order.map((id) => byId.get(id) as GraphTask).filter((t) => t.node_instance_id === instance);
  for (let i = 1; i < own.length; i++) {
    const prev = own[i - 1] as GraphTask;
    const cur = own[i] as GraphTask;
    if (!precedes(graph, prev.id, cur.id) && !(cur.operation?.relationship && prev.operation?.relationship)) {
      throw new Error(`${prev.id} and ${cur.id} of ${instance} are not ordered`);
    }
  }
  return own.flatMap((t) => {
    if (t.kind === 'operation') {
      const short = t.name.split('.').at(-1) as string;
      return [t.operation?.relationship ? `op:${short}:${t.operation.relationship.side}` : `op:${short}`];
    }
    return (t.actions ?? []).map((a) => (a.type === 'set_state' ? `state:${a.state}` : `event:${a.message}`));
  });
}
