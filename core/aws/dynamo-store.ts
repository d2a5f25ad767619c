/**
 * Store on DynamoDB (one table; layout in core/README.md). Every write that must happen once is a
 * conditional write; a lost condition comes back as `null` or a named domain error, never as an
 * SDK exception. No transactions: the embedded store lacks them and they cost double.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { RuntimePatch } from '../messages.ts';
import type {
  Blueprint,
  BlueprintPlan,
  Deployment,
  DeploymentNode,
  Execution,
  ExecutionStatus,
  NodeInstance,
  NodeInstanceState,
  StratusEvent,
  Task,
  TaskState,
} from '../model.ts';
import type { EventQuery, ExecutionInternals, Page, PatchGuard, Store } from '../ports.ts';
import { EVENT_SHARDS, index, key, shardOf, TASK_SHARDS } from './keys.ts';
import { KEYS } from './table-schema.ts';

type Item = Record<string, unknown>;
/**
 * A patch applies unless a task later in the same execution's graph order has patched the instance
 * already: a stale duplicate of an earlier result can never overwrite a newer value.
 */
const GUARD_CONDITION = 'attribute_not_exists(patch_order) OR patch_execution <> :ge OR patch_order <= :go';
/** Keys a runtime-property patch may name in one update expression (DynamoDB's 4 KB expression limit). */
const MAX_PATCH_KEYS_IN_EXPRESSION = 100;
const INTERNAL = [
  'pk',
  'sk',
  KEYS.gsi1.pk,
  KEYS.gsi1.sk,
  KEYS.gsi2.pk,
  KEYS.gsi2.sk,
  KEYS.lsi1.sk,
  'queued_ids',
  'patch_execution',
  'patch_order',
];

function strip<T>(item: Item): T {
  const out: Item = { ...item };
  for (const k of INTERNAL) delete out[k];
  return out as T;
}

function isConditionFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err instanceof Error && err.name === 'ConditionalCheckFailedException')
  );
}

/** Orders events of one execution: by time, then by their place in a task's life. */
const EVENT_RANK: Record<string, number> = {
  workflow_started: 0,
  workflow_node_event: 1,
  sending_task: 2,
  task_started: 3,
  log: 4,
  task_rescheduled: 5,
  task_failed: 5,
  task_succeeded: 5,
  workflow_succeeded: 9,
  workflow_failed: 9,
  workflow_cancelled: 9,
};

export function eventSortKey(e: StratusEvent): string {
  return `${e.timestamp}#${EVENT_RANK[e.event_type ?? 'log'] ?? 4}#${e.id}`;
}

/** Builds `SET a = :a, ...` from a record, skipping undefined values. */
function setExpression(changes: object, names: Record<string, string>, values: Item) {
  const parts: string[] = [];
  let i = 0;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    names[`#c${i}`] = k;
    values[`:c${i}`] = v;
    parts.push(`#c${i} = :c${i}`);
    i++;
  }
  return parts;
}

export class DynamoStore implements Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  // ---------- generic helpers ----------

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey: start }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey as Item | undefined;
    } while (start);
    return items;
  }

  /**
   * Items listed by an index, in index order. The indexes project keys only (an update of a record
   * never writes an index partition again), so the items are read by key, consistently.
   */
  private async queryIndex(indexName: string, pkName: string, pkValue: string): Promise<Item[]> {
    const keys = await this.queryAll({
      IndexName: indexName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': pkName },
      ExpressionAttributeValues: { ':p': pkValue },
    });
    const items = await this.batchGet(keys.map((k) => ({ pk: k.pk, sk: k.sk })));
    const byKey = new Map(items.map((i) => [`${i.pk}\u0000${i.sk}`, i]));
    return keys.flatMap((k) => byKey.get(`${k.pk}\u0000${k.sk}`) ?? []) as Item[];
  }

  private async batchWrite(requests: Item[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Item[] | undefined = requests.slice(i, i + 25);
      for (let round = 0; pending && pending.length > 0; round++) {
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = out.UnprocessedItems?.[this.table] as Item[] | undefined;
        if (pending?.length) await backoff(round);
      }
    }
  }

  private async batchGet(keys: Item[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] | undefined = keys.slice(i, i + 100);
      for (let round = 0; pending && pending.length > 0; round++) {
        const out = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...((out.Responses?.[this.table] ?? []) as Item[]));
        pending = out.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined;
        if (pending?.length) await backoff(round);
      }
    }
    return items;
  }

  private async get(k: Item): Promise<Item | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: k, ConsistentRead: true }));
    return (out.Item as Item | undefined) ?? null;
  }

  // ---------- blueprints ----------

  async createBlueprint(bp: Blueprint): Promise<void> {
    const { plan, ...rest } = bp;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key.blueprint(bp.id),
            gsi1pk: index.blueprints,
            gsi1sk: `${bp.created_at}#${bp.id}`,
            ...rest,
            // plans of large blueprints exceed DynamoDB's 400 KB item limit as JSON; gzip keeps them ~10x smaller
            plan_gz: gzipSync(JSON.stringify(plan)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`blueprint with id \`${bp.id}\` already exists`);
      throw err;
    }
  }

  private blueprintFrom(item: Item): Blueprint {
    const { plan_gz, ...rest } = strip<Item>(item);
    const plan = JSON.parse(gunzipSync(plan_gz as Uint8Array).toString('utf8')) as BlueprintPlan;
    return { ...(rest as Omit<Blueprint, 'plan'>), plan };
  }

  async getBlueprint(id: string): Promise<Blueprint | null> {
    const item = await this.get(key.blueprint(id));
    return item ? this.blueprintFrom(item) : null;
  }

  async setBlueprintState(id: string, state: Blueprint['state']): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.blueprint(id),
          UpdateExpression: 'SET #state = :s',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':s': state },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError('blueprint', id);
      throw err;
    }
  }

  async listBlueprints(): Promise<Blueprint[]> {
    const items = await this.queryIndex(KEYS.gsi1.name, KEYS.gsi1.pk, index.blueprints);
    return items.map((i) => this.blueprintFrom(i));
  }

  async deleteBlueprint(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key.blueprint(id) }));
  }

  // ---------- deployments, nodes, node instances ----------

  async createDeployment(dep: Deployment, nodes: DeploymentNode[], instances: NodeInstance[]): Promise<void> {
    // claim the id first (a record marked `creating`, invisible to reads and lists), so that two
    // racing creates never mix their children; then the children; then the record becomes visible
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key.deployment(dep.id), ...dep, creating: true },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`deployment with id \`${dep.id}\` already exists`);
      throw err;
    }
    await this.batchWrite([
      ...nodes.map((n) => ({ PutRequest: { Item: { ...key.node(dep.id, n.id), ...n } } })),
      ...instances.map((ni) => ({
        PutRequest: {
          Item: { ...key.nodeInstance(ni.id), gsi1pk: index.instancesOf(dep.id), gsi1sk: ni.id, ...ni },
        },
      })),
    ]);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key.deployment(dep.id),
        UpdateExpression: 'SET gsi1pk = :g1, gsi1sk = :s1, gsi2pk = :g2, gsi2sk = :s2 REMOVE creating',
        ExpressionAttributeValues: {
          ':g1': index.deployments,
          ':s1': `${dep.created_at}#${dep.id}`,
          ':g2': index.deploymentsOf(dep.blueprint_id),
          ':s2': dep.id,
        },
      }),
    );
  }

  async getDeployment(id: string): Promise<Deployment | null> {
    const item = await this.get(key.deployment(id));
    return item && !item.creating ? strip<Deployment>(item) : null;
  }

  async listDeployments(filter: { blueprint_id?: string } = {}): Promise<Deployment[]> {
    const items = filter.blueprint_id
      ? await this.queryIndex(KEYS.gsi2.name, KEYS.gsi2.pk, index.deploymentsOf(filter.blueprint_id))
      : await this.queryIndex(KEYS.gsi1.name, KEYS.gsi1.pk, index.deployments);
    return items.map((i) => strip<Deployment>(i));
  }

  async deleteDeployment(id: string): Promise<void> {
    const nodes = await this.queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)',
      ExpressionAttributeValues: { ':p': key.deployment(id).pk, ':n': 'NODE#' },
      ProjectionExpression: 'pk, sk',
    });
    // keys are all a delete needs: the index answers them without reading the items
    const instances = await this.queryAll({
      IndexName: KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': index.instancesOf(id) },
    });
    // the record first, so that a crash half-way never shows a deployment without its nodes
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key.deployment(id) }));
    await this.batchWrite([
      ...nodes.map((n) => ({ DeleteRequest: { Key: { pk: n.pk, sk: n.sk } } })),
      ...instances.map((n) => ({ DeleteRequest: { Key: { pk: n.pk, sk: n.sk } } })),
    ]);
  }

  async acquireDeployment(deploymentId: string, executionId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.deployment(deploymentId),
          UpdateExpression: 'SET active_execution_id = :e',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(active_execution_id) OR attribute_type(active_execution_id, :nullType) OR active_execution_id = :e)',
          ExpressionAttributeValues: { ':e': executionId, ':nullType': 'NULL' },
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (!(await this.get(key.deployment(deploymentId))))
        throw new NotFoundError('deployment', deploymentId);
      return false;
    }
  }

  async releaseDeployment(deploymentId: string, executionId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.deployment(deploymentId),
          UpdateExpression: 'SET active_execution_id = :null',
          ConditionExpression: 'active_execution_id = :e',
          ExpressionAttributeValues: { ':e': executionId, ':null': null },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async enqueue(deploymentId: string, executionId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.deployment(deploymentId),
          UpdateExpression: 'ADD queued_ids :e',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':e': new Set([executionId]) },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError('deployment', deploymentId);
      throw err;
    }
  }

  async dequeue(deploymentId: string, executionId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.deployment(deploymentId),
          UpdateExpression: 'DELETE queued_ids :e',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':e': new Set([executionId]) },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // the deployment is gone, and its queue with it
    }
  }

  async queuedExecutionIds(deploymentId: string): Promise<string[]> {
    const item = await this.get(key.deployment(deploymentId));
    const ids = item?.queued_ids as Set<string> | undefined;
    return ids ? [...ids] : [];
  }

  async listNodes(deploymentId: string): Promise<DeploymentNode[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :n)',
      ExpressionAttributeValues: { ':p': key.deployment(deploymentId).pk, ':n': 'NODE#' },
      ConsistentRead: true,
    });
    return items.map((i) => strip<DeploymentNode>(i));
  }

  async getNode(deploymentId: string, nodeId: string): Promise<DeploymentNode | null> {
    const item = await this.get(key.node(deploymentId, nodeId));
    return item ? strip<DeploymentNode>(item) : null;
  }

  async listNodeInstances(deploymentId: string, nodeId?: string): Promise<NodeInstance[]> {
    // instance ids are `<node>_<suffix>`: a node's instances are a key range of the index
    const keys = await this.queryAll({
      IndexName: KEYS.gsi1.name,
      KeyConditionExpression: nodeId ? 'gsi1pk = :p AND begins_with(gsi1sk, :n)' : 'gsi1pk = :p',
      ExpressionAttributeValues: {
        ':p': index.instancesOf(deploymentId),
        ...(nodeId ? { ':n': `${nodeId}_` } : {}),
      },
    });
    const items = await this.batchGet(keys.map((i) => ({ pk: i.pk, sk: i.sk })));
    return items
      .map((i) => strip<NodeInstance>(i))
      .filter((i) => !nodeId || i.node_id === nodeId)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async getNodeInstance(id: string): Promise<NodeInstance | null> {
    const item = await this.get(key.nodeInstance(id));
    return item ? strip<NodeInstance>(item) : null;
  }

  async setNodeInstanceState(id: string, state: NodeInstanceState): Promise<void> {
    await this.updateInstance(id, 'SET #state = :s ADD version :one', { '#state': 'state' }, { ':s': state });
  }

  async patchRuntimeProperties(id: string, patch: RuntimePatch, guard?: PatchGuard): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Item = { ':one': 1 };
    const sets: string[] = [];
    const removes: string[] = [];
    Object.entries(patch.set).forEach(([k, v], i) => {
      names[`#k${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`runtime_properties.#k${i} = :v${i}`);
    });
    patch.unset
      .filter((k) => !(k in patch.set))
      .forEach((k, i) => {
        names[`#u${i}`] = k;
        removes.push(`runtime_properties.#u${i}`);
      });
    if (sets.length === 0 && removes.length === 0) return true;
    // DynamoDB refuses update expressions over 4 KB (~120 keys): a larger patch is merged in memory
    // and written back under the version it read
    if (sets.length + removes.length > MAX_PATCH_KEYS_IN_EXPRESSION)
      return this.mergeRuntimeProperties(id, patch, guard);
    let condition = 'attribute_exists(pk)';
    if (guard) {
      sets.push('patch_execution = :ge', 'patch_order = :go');
      values[':ge'] = guard.execution_id;
      values[':go'] = guard.order;
      condition += ` AND (${GUARD_CONDITION})`;
    }
    const expr = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.nodeInstance(id),
          UpdateExpression: `${expr} ADD version :one`,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (!(await this.get(key.nodeInstance(id)))) throw new NotFoundError('node_instance', id);
      return false; // a later task of the execution has written this instance already
    }
  }

  private async mergeRuntimeProperties(
    id: string,
    patch: RuntimePatch,
    guard?: PatchGuard,
  ): Promise<boolean> {
    for (let round = 0; ; round++) {
      const item = await this.get(key.nodeInstance(id));
      if (!item) throw new NotFoundError('node_instance', id);
      if (guard && item.patch_execution === guard.execution_id && Number(item.patch_order) > guard.order)
        return false;
      const current = strip<NodeInstance>(item);
      const next = { ...current.runtime_properties };
      for (const k of patch.unset) delete next[k];
      Object.assign(next, patch.set);
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key.nodeInstance(id),
            UpdateExpression: `SET runtime_properties = :rp${guard ? ', patch_execution = :ge, patch_order = :go' : ''} ADD version :one`,
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: {
              ':rp': next,
              ':v': current.version,
              ':one': 1,
              ...(guard ? { ':ge': guard.execution_id, ':go': guard.order } : {}),
            },
          }),
        );
        return true;
      } catch (err) {
        // another writer changed the instance between the read and the write: read it again
        if (!isConditionFailure(err) || round >= 20) throw err;
        await backoff(round);
      }
    }
  }

  private async updateInstance(id: string, expr: string, names: Record<string, string>, values: Item) {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.nodeInstance(id),
          UpdateExpression: expr,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: { ...values, ':one': 1 },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError('node_instance', id);
      throw err;
    }
  }

  async updateNodeInstance(
    id: string,
    version: number,
    changes: { runtime_properties?: NodeInstance['runtime_properties']; state?: NodeInstanceState },
  ): Promise<NodeInstance> {
    const names: Record<string, string> = {};
    const values: Item = { ':v': version, ':one': 1 };
    const sets = setExpression(changes, names, values);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.nodeInstance(id),
          UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD version :one`,
          ConditionExpression: 'attribute_exists(pk) AND version = :v',
          ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<NodeInstance>(out.Attributes as Item);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const current = await this.getNodeInstance(id);
      if (!current) throw new NotFoundError('node_instance', id);
      throw new ConflictError(
        `node instance \`${id}\` is at version ${current.version}, not ${version}: read it again and retry`,
      );
    }
  }

  // ---------- executions ----------

  async createExecution(exec: Execution): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key.execution(exec.id),
            gsi1pk: index.executions,
            gsi1sk: `${exec.created_at}#${exec.id}`,
            gsi2pk: index.executionsOf(exec.deployment_id),
            gsi2sk: `${exec.created_at}#${exec.id}`,
            ...exec,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`execution with id \`${exec.id}\` already exists`);
      throw err;
    }
  }

  async getExecution(id: string): Promise<(Execution & ExecutionInternals) | null> {
    const item = await this.get(key.execution(id));
    return item ? strip<Execution & ExecutionInternals>(item) : null;
  }

  async listExecutions(
    filter: { deployment_id?: string; status?: ExecutionStatus[] } = {},
  ): Promise<Execution[]> {
    const items = filter.deployment_id
      ? await this.queryIndex(KEYS.gsi2.name, KEYS.gsi2.pk, index.executionsOf(filter.deployment_id))
      : await this.queryIndex(KEYS.gsi1.name, KEYS.gsi1.pk, index.executions);
    const statuses = filter.status;
    return items
      .map((i) => {
        const { task_token: _t, graph_ready: _g, ...exec } = strip<Execution & ExecutionInternals>(i);
        return exec;
      })
      .filter((e) => !statuses?.length || statuses.includes(e.status));
  }

  async updateExecution(
    id: string,
    from: readonly ExecutionStatus[],
    changes: Partial<Execution> & ExecutionInternals,
  ): Promise<(Execution & ExecutionInternals) | null> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = {};
    from.forEach((s, i) => {
      values[`:f${i}`] = s;
    });
    const sets = setExpression(changes, names, values);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.execution(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Execution & ExecutionInternals>(out.Attributes as Item);
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  async incrementFinished(id: string, by: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.execution(id),
          UpdateExpression: 'ADD finished_operations :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':n': by },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError('execution', id);
      throw err;
    }
  }

  // ---------- tasks ----------

  private taskItem(executionId: string, t: Task): Item {
    const { done_dependencies, ...rest } = t;
    return {
      ...key.task(executionId, t.id),
      ...rest,
      // a string set: adding a finished dependency twice leaves it once (idempotent release counting)
      ...(done_dependencies.length ? { done_dependencies: new Set(done_dependencies) } : {}),
    };
  }

  private taskFrom(item: Item): Task {
    const t = strip<Item>(item);
    const done = t.done_dependencies as Set<string> | undefined;
    return { ...(t as unknown as Task), done_dependencies: done ? [...done] : [] };
  }

  async putTasks(executionId: string, tasks: Task[]): Promise<void> {
    // a batch may not name one key twice; the last copy of a task wins, as sequential puts would
    const unique = [...new Map(tasks.map((t) => [t.id, t])).values()];
    await this.batchWrite(unique.map((t) => ({ PutRequest: { Item: this.taskItem(executionId, t) } })));
  }

  async getTask(executionId: string, taskId: string): Promise<Task | null> {
    const item = await this.get(key.task(executionId, taskId));
    return item ? this.taskFrom(item) : null;
  }

  async getTasks(executionId: string, taskIds: string[]): Promise<Task[]> {
    const items = await this.batchGet([...new Set(taskIds)].map((id) => key.task(executionId, id)));
    return items.map((i) => this.taskFrom(i));
  }

  async listTasks(executionId: string): Promise<Task[]> {
    const shards = await Promise.all(
      Array.from({ length: TASK_SHARDS }, (_, s) =>
        this.queryAll({
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': key.taskPartition(executionId, s) },
          ConsistentRead: true,
        }),
      ),
    );
    return shards.flat().map((i) => this.taskFrom(i));
  }

  async transitionTask(
    executionId: string,
    taskId: string,
    cond: { from: readonly TaskState[]; attempt?: number; updatedAt?: string },
    changes: Partial<Pick<Task, 'state' | 'attempt' | 'error' | 'result' | 'updated_at'>>,
  ): Promise<Task | null> {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Item = {};
    cond.from.forEach((s, i) => {
      values[`:f${i}`] = s;
    });
    let condition = `attribute_exists(pk) AND #state IN (${cond.from.map((_, i) => `:f${i}`).join(', ')})`;
    if (cond.attempt !== undefined) {
      names['#attempt'] = 'attempt';
      values[':attempt'] = cond.attempt;
      condition += ' AND #attempt = :attempt';
    }
    if (cond.updatedAt !== undefined) {
      values[':seen'] = cond.updatedAt;
      condition += ' AND updated_at = :seen';
    }
    const sets = setExpression(changes, names, values);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.task(executionId, taskId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.taskFrom(out.Attributes as Item);
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  async addDoneDependency(executionId: string, taskId: string, dependencyId: string): Promise<Task> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.task(executionId, taskId),
          UpdateExpression: 'ADD done_dependencies :d',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':d': new Set([dependencyId]) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return this.taskFrom(out.Attributes as Item);
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError('task', `${executionId}/${taskId}`);
      throw err;
    }
  }

  // ---------- events ----------

  async putEvents(events: StratusEvent[]): Promise<void> {
    // keyed by the event id alone: writing it again (even with another timestamp) overwrites it
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    await this.batchWrite(
      unique.map((e) => ({
        PutRequest: {
          Item: {
            pk: key.eventPartition(e.execution_id, shardOf(e.id, EVENT_SHARDS)),
            sk: e.id,
            lsi1sk: eventSortKey(e),
            ...e,
          },
        },
      })),
    );
  }

  async listEvents(executionId: string, q: EventQuery): Promise<Page<StratusEvent>> {
    // each shard is read in time order through the local index, only within the asked time range
    const range =
      q.from && q.to
        ? { cond: ' AND lsi1sk BETWEEN :from AND :to', values: { ':from': q.from, ':to': `${q.to}\uffff` } }
        : q.from
          ? { cond: ' AND lsi1sk >= :from', values: { ':from': q.from } }
          : q.to
            ? { cond: ' AND lsi1sk <= :to', values: { ':to': `${q.to}\uffff` } }
            : { cond: '', values: {} };
    const shards = await Promise.all(
      Array.from({ length: EVENT_SHARDS }, (_, s) =>
        this.queryAll({
          IndexName: KEYS.lsi1.name,
          KeyConditionExpression: `pk = :p${range.cond}`,
          ExpressionAttributeValues: { ':p': key.eventPartition(executionId, s), ...range.values },
        }),
      ),
    );
    const types = q.types?.length ? q.types : null;
    const all = shards
      .flat()
      .filter((i) => !types || types.includes(i.type as StratusEvent['type']))
      .sort((a, b) =>
        String(a.lsi1sk) < String(b.lsi1sk) ? -1 : String(a.lsi1sk) > String(b.lsi1sk) ? 1 : 0,
      )
      .map((i) => strip<StratusEvent>(i));
    if (q.descending) all.reverse();
    return { items: all.slice(q.offset, q.offset + q.size), total: all.length };
  }
}

function backoff(round: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
}
