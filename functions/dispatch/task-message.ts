/**
 * Builds the message an executor receives: everything the operation needs (script text, inputs with
 * get_attribute resolved now, node properties, a runtime-property snapshot, the relationship's other
 * side), nothing else — no credentials, no task token, no store access for the agent.
 */

import { MAX_SQS_DELAY_SECONDS } from '../../core/aws/sqs-task-queues.ts';
import { resolveAttributes } from '../../core/dsl/index.ts';
import { StratusError } from '../../core/errors.ts';
import type { EntityContext, TaskMessage } from '../../core/messages.ts';
import type { DeploymentNode, Execution, Json, JsonObject, NodeInstance, Task } from '../../core/model.ts';
import type { EngineDeps } from './deps.ts';

/** The task cannot run however often it is retried (missing script, bad get_attribute). */
export class PermanentTaskError extends StratusError {
  constructor(message: string) {
    super(message, { errorCode: 'operation_error', status: 400 });
  }
}

/**
 * Loads remembered per process, keyed by execution: while an execution runs, its deployment's nodes
 * and its blueprint's files cannot change (neither can be deleted while it holds the deployment).
 * Keyed by deployment or blueprint id instead, a warm process would serve the nodes or scripts of an
 * earlier deployment or blueprint that was deleted and created again under the same id.
 */
function memo<T>(size: number): (key: string, load: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key, load) => {
    let value = cache.get(key);
    if (!value) {
      value = load();
      value.catch(() => cache.delete(key));
      cache.set(key, value);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
    }
    return value;
  };
}

const nodeCache = memo<Map<string, DeploymentNode>>(200);
const scriptCache = memo<string | null>(500);

function nodesOf(deps: EngineDeps, exec: Execution): Promise<Map<string, DeploymentNode>> {
  return nodeCache(exec.id, () =>
    deps.store.listNodes(exec.deployment_id).then((list) => new Map(list.map((n) => [n.id, n]))),
  );
}

function scriptOf(deps: EngineDeps, exec: Execution, path: string): Promise<string | null> {
  const clean = path.replace(/^\.\//, '');
  return scriptCache(`${exec.id}/${clean}`, () =>
    deps.blobs
      .get(`blueprints/${exec.blueprint_id}/${clean}`)
      .then((b) => (b ? new TextDecoder().decode(b) : null)),
  );
}

async function entity(deps: EngineDeps, exec: Execution, instanceId: string) {
  const instance = await deps.store.getNodeInstance(instanceId);
  if (!instance) throw new PermanentTaskError(`node instance \`${instanceId}\` no longer exists`);
  const node = (await nodesOf(deps, exec)).get(instance.node_id);
  if (!node)
    throw new PermanentTaskError(`node \`${instance.node_id}\` of instance \`${instanceId}\` not found`);
  return { instance, node };
}

function context(e: { instance: NodeInstance; node: DeploymentNode }): EntityContext {
  return {
    node_id: e.node.id,
    node_instance_id: e.instance.id,
    node_properties: e.node.properties,
    runtime_properties: e.instance.runtime_properties,
  };
}

const SPECIAL = new Set(['SELF', 'SOURCE', 'TARGET']);

/** Nodes that get_attribute calls in `value` name (other than SELF, SOURCE, TARGET). */
function namedNodes(value: Json, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) namedNodes(v, out);
  else if (value !== null && typeof value === 'object') {
    const args = value.get_attribute;
    if (Array.isArray(args) && typeof args[0] === 'string' && !SPECIAL.has(args[0])) out.add(args[0]);
    for (const v of Object.values(value)) namedNodes(v, out);
  }
  return out;
}

export async function buildTaskMessage(
  deps: EngineDeps,
  exec: Execution,
  t: Task,
  delaySeconds: number,
): Promise<{ message: TaskMessage; target: string }> {
  const op = t.operation;
  if (!op || !t.node_instance_id) throw new PermanentTaskError(`task \`${t.id}\` has no operation to send`);
  const rel = op.relationship;
  const self = await entity(deps, exec, t.node_instance_id);
  const source = rel ? (rel.side === 'source' ? self : await entity(deps, exec, rel.source_id)) : undefined;
  const target = rel ? (rel.side === 'target' ? self : await entity(deps, exec, rel.target_id)) : undefined;

  let script: string | null = null;
  if (op.spec.implementation) {
    script = await scriptOf(deps, exec, op.spec.implementation);
    if (script === null) {
      throw new PermanentTaskError(
        `script \`${op.spec.implementation}\` is not in blueprint \`${exec.blueprint_id}\``,
      );
    }
  }

  const raw = { ...op.spec.inputs, ...(op.kwargs ?? {}) } as Json;
  const nodes = await nodesOf(deps, exec);
  // only the instances of the nodes an input names are read
  const instances = (
    await Promise.all(
      [...namedNodes(raw)]
        .filter((n) => nodes.has(n))
        .map((n) => deps.store.listNodeInstances(exec.deployment_id, n)),
    )
  ).flat();
  let inputs: JsonObject;
  try {
    inputs = resolveAttributes(raw, {
      self,
      ...(source ? { source } : {}),
      ...(target ? { target } : {}),
      lookup: (name) => {
        const node = nodes.get(name);
        return node ? { node, instances: instances.filter((i) => i.node_id === name) } : undefined;
      },
    }) as JsonObject;
  } catch (err) {
    throw new PermanentTaskError(`inputs of '${t.name}': ${(err as Error).message}`);
  }

  const now = deps.now();
  const message: TaskMessage = {
    v: 1,
    execution_id: exec.id,
    task_id: t.id,
    attempt: t.attempt,
    deployment_id: exec.deployment_id,
    blueprint_id: exec.blueprint_id,
    workflow_id: exec.workflow_id,
    operation: t.name,
    implementation: op.spec.implementation,
    script,
    inputs,
    timeout: op.spec.timeout,
    self: context(self),
    ...(rel && source && target
      ? { relationship: { type: rel.type, side: rel.side, source: context(source), target: context(target) } }
      : {}),
    ...(delaySeconds > MAX_SQS_DELAY_SECONDS
      ? { not_before: new Date(now.getTime() + delaySeconds * 1000).toISOString() }
      : {}),
    sent_at: now.toISOString(),
  };
  return { message, target: op.target };
}
