/**
 * Node instances of a new deployment: default_instances per node, per instance of the node it is
 * contained in; relationships wired per instance (contained_in to its own host instance; others
 * within the closest common containing instance, else all_to_all or all_to_one). O(instances + links).
 */
import type { DeploymentNode, InstanceRelationship, NodeInstance } from '../model.ts';
import { instanceIdMaker } from './ids.ts';

export const CONTAINED_IN = 'cloudify.relationships.contained_in';

interface Planned {
  instance: NodeInstance;
  parent: Planned | null;
}

export function containerOf(node: Pick<DeploymentNode, 'relationships'>): string | null {
  return node.relationships.find((r) => r.type_hierarchy.includes(CONTAINED_IN))?.target_id ?? null;
}

/** Nodes with the nodes they are contained in first. */
function containmentOrder(nodes: readonly DeploymentNode[]): DeploymentNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const done = new Set<string>();
  const out: DeploymentNode[] = [];
  for (const n of nodes) {
    const chain: DeploymentNode[] = [];
    let cur: DeploymentNode | undefined = n;
    while (cur && !done.has(cur.id) && !chain.includes(cur)) {
      chain.push(cur);
      const p = containerOf(cur);
      cur = p === null ? undefined : byId.get(p);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i] as DeploymentNode;
      done.add(c.id);
      out.push(c);
    }
  }
  return out;
}

export function planInstances(
  deploymentId: string,
  nodes: readonly DeploymentNode[],
  random?: () => number,
): NodeInstance[] {
  const newId = instanceIdMaker(random);
  const byNode = new Map<string, Planned[]>();
  const nodeById = new Map(nodes.map((n) => [n.id, n]));

  for (const node of containmentOrder(nodes)) {
    const container = containerOf(node);
    const parents: (Planned | null)[] = container === null ? [null] : (byNode.get(container) ?? []);
    const list: Planned[] = [];
    const perParent = node.deploy_number_of_instances;
    for (const parent of parents) {
      for (let k = 0; k < perParent; k++) {
        const id = newId(node.id);
        const isHost = node.host_id === node.id;
        list.push({
          instance: {
            id,
            node_id: node.id,
            deployment_id: deploymentId,
            host_id: isHost ? id : (parent?.instance.host_id ?? null),
            state: 'uninitialized',
            runtime_properties: {},
            relationships: [],
            index: list.length + 1,
            version: 1,
            scaling_groups: [],
          },
          parent,
        });
      }
    }
    byNode.set(node.id, list);
    node.number_of_instances = list.length;
    node.planned_number_of_instances = list.length;
  }

  // containment chains (inclusive): [node, container, container's container, ...]
  const chainMemo = new Map<string, string[]>();
  const chain = (id: string): string[] => {
    const m = chainMemo.get(id);
    if (m) return m;
    const n = nodeById.get(id);
    const p = n ? containerOf(n) : null;
    const c = [id, ...(p === null ? [] : chain(p))];
    chainMemo.set(id, c);
    return c;
  };
  const ancestorAt = (p: Planned, nodeId: string): Planned | null => {
    let cur: Planned | null = p;
    while (cur && cur.instance.node_id !== nodeId) cur = cur.parent;
    return cur;
  };
  // target instances grouped by their ancestor instance at a given node: key `${target}|${ancestorNode}`
  const groups = new Map<string, Map<string, Planned[]>>();
  const groupOf = (target: string, ancestorNode: string): Map<string, Planned[]> => {
    const key = `${target}\u0000${ancestorNode}`;
    let g = groups.get(key);
    if (!g) {
      g = new Map();
      for (const t of byNode.get(target) ?? []) {
        const a = ancestorAt(t, ancestorNode);
        if (!a) continue;
        const list = g.get(a.instance.id) ?? [];
        list.push(t);
        g.set(a.instance.id, list);
      }
      groups.set(key, g);
    }
    return g;
  };

  for (const node of nodes) {
    const sources = byNode.get(node.id) ?? [];
    for (const rel of node.relationships) {
      const targets = byNode.get(rel.target_id) ?? [];
      const contained = rel.type_hierarchy.includes(CONTAINED_IN);
      const targetChain = new Set(chain(rel.target_id));
      // closest node containing (or being) both ends
      const common = contained ? rel.target_id : (chain(node.id).find((c) => targetChain.has(c)) ?? null);
      const one = rel.connection_type === 'all_to_one';
      for (const s of sources) {
        let candidates: Planned[];
        if (common === null) candidates = targets;
        else {
          const anc = ancestorAt(s, common);
          candidates = anc ? (groupOf(rel.target_id, common).get(anc.instance.id) ?? []) : [];
        }
        const chosen = one ? candidates.slice(0, 1) : candidates;
        for (const t of chosen) {
          const r: InstanceRelationship = {
            target_id: t.instance.id,
            target_name: rel.target_id,
            type: rel.type,
          };
          s.instance.relationships.push(r);
        }
      }
    }
  }

  const out: NodeInstance[] = [];
  for (const node of nodes) for (const p of byNode.get(node.id) ?? []) out.push(p.instance);
  return out;
}
