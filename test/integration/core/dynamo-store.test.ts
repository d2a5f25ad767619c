/**
 * DynamoStore against dynalite and against DynamoDB Local: every Store contract of core/ports.ts on a
 * real (emulated) table, the whole suite once per backend. dynalite is what the local stack runs;
 * DynamoDB Local is Amazon's own emulator, strict where dynalite is lenient (expression validation,
 * reserved words, types). One emulator per backend for the file; each test makes its own ids so tests
 * never see each other's records.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../../core/aws/clients.ts';
import { DynamoStore } from '../../../core/aws/dynamo-store.ts';
import { EVENT_SHARDS, shardOf, TASK_SHARDS } from '../../../core/aws/keys.ts';
import { ensureTable } from '../../../core/aws/table-schema.ts';
import { ConflictError, NotFoundError } from '../../../core/errors.ts';
import type { PlanNode, StratusEvent } from '../../../core/model.ts';
import { type Emulator, startDynalite, startDynamoDbLocal } from '../../../local/emulators.ts';
import { blueprint, deployment, event, execution, instance, node, plan, task, uid } from './fixtures.ts';

const TABLE = 'stratus-test';

interface Opened {
  store: DynamoStore;
  client: DynamoDBClient;
}

async function open(endpoint: string): Promise<Opened> {
  const client = new DynamoDBClient(clientConfig({ endpoint }));
  await ensureTable(client, TABLE);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { store: new DynamoStore(doc, TABLE), client };
}

/**
 * CI installs Java (.ci/run) and always runs both backends; a machine without Java runs the store on
 * dynalite only, and says so.
 */
const hasJava = spawnSync('java', ['-version']).status === 0;
if (!hasJava && !process.env.CI) {
  console.warn(
    'DynamoDB Local skipped: no `java` on the PATH (apt-get install default-jre-headless to run it)',
  );
}
const BACKENDS: [string, () => Promise<Emulator>][] = [
  ['dynalite', () => startDynalite()],
  ...(hasJava || process.env.CI
    ? [['DynamoDB Local', () => startDynamoDbLocal()] as [string, () => Promise<Emulator>]]
    : []),
];

/** Rejection of `p` as a StratusError-like value, so tests can check its class, status and message. */
async function rejection(p: Promise<unknown>): Promise<Error & { status?: number }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { status?: number };
  }
  throw new Error('expected the promise to reject, it resolved');
}

describe.each(BACKENDS)('DynamoStore on %s', (_backend, start) => {
  let emulator: Emulator;
  let opened: Opened;
  let store: DynamoStore;

  beforeAll(async () => {
    emulator = await start();
    opened = await open(emulator.endpoint);
    store = opened.store;
  });

  afterAll(async () => {
    opened?.client.destroy();
    await emulator?.stop();
  });

  /** A deployment with two nodes and three instances, already stored. */
  async function storedDeployment(over: Parameters<typeof deployment>[0] = {}) {
    const dep = deployment(over);
    const nodes = [node(dep, 'web'), node(dep, 'db')];
    const instances = [instance(dep, 'web'), instance(dep, 'web', { index: 1 }), instance(dep, 'db')];
    await store.createDeployment(dep, nodes, instances);
    return { dep, nodes, instances };
  }

  describe('blueprints', () => {
    it('stores a blueprint and reads it back, listed and then deleted', async () => {
      const bp = blueprint({ description: 'hello' });
      await store.createBlueprint(bp);
      expect(await store.getBlueprint(bp.id)).toEqual(bp);
      expect((await store.listBlueprints()).map((b) => b.id)).toContain(bp.id);
      await store.deleteBlueprint(bp.id);
      expect(await store.getBlueprint(bp.id)).toBeNull();
      expect((await store.listBlueprints()).map((b) => b.id)).not.toContain(bp.id);
    });

    it('refuses a second blueprint with the same id with a 409 ConflictError and keeps the first', async () => {
      const bp = blueprint({ description: 'first' });
      await store.createBlueprint(bp);
      const err = await rejection(store.createBlueprint({ ...bp, description: 'second' }));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.status).toBe(409);
      expect(err.message).toContain(bp.id);
      expect((await store.getBlueprint(bp.id))?.description).toBe('first');
    });

    it('round-trips a plan larger than the 400 KB item limit as JSON', async () => {
      const nodes: PlanNode[] = Array.from({ length: 1500 }, (_, i) => ({
        id: `node_${i}`,
        type: 'cloudify.nodes.WebServer',
        type_hierarchy: [
          'cloudify.nodes.Root',
          'cloudify.nodes.SoftwareComponent',
          'cloudify.nodes.WebServer',
        ],
        properties: { port: 8000 + i, description: `a web server number ${i} `.repeat(10) },
        operations: {},
        relationships: [],
        capabilities: {
          scalable: { properties: { default_instances: 1, min_instances: 0, max_instances: -1 } },
        },
      }));
      const bp = blueprint({ plan: plan(nodes) });
      expect(JSON.stringify(bp.plan).length).toBeGreaterThan(400 * 1024);
      await store.createBlueprint(bp);
      expect(await store.getBlueprint(bp.id)).toEqual(bp);
    });
  });

  describe('deployments', () => {
    it('creates a deployment with its nodes and instances, all readable right after the write', async () => {
      const { dep, nodes, instances } = await storedDeployment();
      expect(await store.getDeployment(dep.id)).toEqual(dep);
      const listedNodes = await store.listNodes(dep.id);
      expect(listedNodes.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [...nodes].sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(await store.getNode(dep.id, 'web')).toEqual(nodes[0]);
      expect(await store.getNode(dep.id, 'missing')).toBeNull();
      expect(await store.listNodeInstances(dep.id)).toEqual(
        [...instances].sort((a, b) => a.id.localeCompare(b.id)),
      );
      const first = instances[0];
      expect(first && (await store.getNodeInstance(first.id))).toEqual(first);
    });

    it('lists deployments, all of them or those of one blueprint', async () => {
      const bpId = uid('bp');
      const { dep: mine } = await storedDeployment({ blueprint_id: bpId });
      const { dep: other } = await storedDeployment();
      const all = (await store.listDeployments()).map((d) => d.id);
      expect(all).toEqual(expect.arrayContaining([mine.id, other.id]));
      expect((await store.listDeployments({ blueprint_id: bpId })).map((d) => d.id)).toEqual([mine.id]);
    });

    it('refuses an existing deployment id with a ConflictError and leaves its nodes and instances alone', async () => {
      const { dep, instances } = await storedDeployment();
      const again = deployment({ id: dep.id, description: 'intruder' });
      const err = await rejection(
        store.createDeployment(again, [node(again, 'other')], [instance(again, 'other')]),
      );
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.status).toBe(409);
      expect(err.message).toContain(dep.id);
      expect((await store.getDeployment(dep.id))?.description).toBeNull();
      expect((await store.listNodes(dep.id)).map((n) => n.id).sort()).toEqual(['db', 'web']);
      expect((await store.listNodeInstances(dep.id)).map((i) => i.id).sort()).toEqual(
        instances.map((i) => i.id).sort(),
      );
    });

    it('keeps only the winner’s nodes and instances when two creates of the same id race', async () => {
      const a = deployment();
      const b = deployment({ id: a.id });
      const results = await Promise.allSettled([
        store.createDeployment(a, [node(a, 'web')], [instance(a, 'web')]),
        store.createDeployment(b, [node(b, 'db')], [instance(b, 'db')]),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(ConflictError);
      // whoever won, the stored deployment must not hold the loser's node or instance
      const instances = await store.listNodeInstances(a.id);
      const nodes = await store.listNodes(a.id);
      expect(instances).toHaveLength(1);
      expect(nodes).toHaveLength(1);
      expect(instances[0]?.node_id).toBe(nodes[0]?.id);
    });

    it('deletes a deployment with its nodes and instances', async () => {
      const { dep, instances } = await storedDeployment();
      await store.deleteDeployment(dep.id);
      expect(await store.getDeployment(dep.id)).toBeNull();
      expect(await store.listNodes(dep.id)).toEqual([]);
      expect(await store.listNodeInstances(dep.id)).toEqual([]);
      for (const ni of instances) expect(await store.getNodeInstance(ni.id)).toBeNull();
      expect((await store.listDeployments()).map((d) => d.id)).not.toContain(dep.id);
    });

    it('keeps the executions of a deleted deployment', async () => {
      const { dep } = await storedDeployment();
      const ex = execution({ deployment_id: dep.id });
      await store.createExecution(ex);
      await store.deleteDeployment(dep.id);
      expect((await store.getExecution(ex.id))?.id).toBe(ex.id);
    });
  });

  describe('deployment lock', () => {
    it('keeps the deployment queue on its record: ids in, ids out, each once, read consistently', async () => {
      const { dep } = await storedDeployment();
      await store.enqueue(dep.id, 'q-1');
      await store.enqueue(dep.id, 'q-2');
      await store.enqueue(dep.id, 'q-1');
      expect((await store.queuedExecutionIds(dep.id)).sort()).toEqual(['q-1', 'q-2']);
      await store.dequeue(dep.id, 'q-1');
      await store.dequeue(dep.id, 'q-1');
      expect(await store.queuedExecutionIds(dep.id)).toEqual(['q-2']);
      expect(await store.getDeployment(dep.id)).not.toHaveProperty('queued_ids');
      await expect(store.enqueue('no-such-deployment', 'q-3')).rejects.toThrow(/not found/);
      await store.dequeue('no-such-deployment', 'q-3');
    });

    it('lets one execution hold a deployment: others are refused, the holder re-acquires', async () => {
      const { dep } = await storedDeployment();
      expect(await store.acquireDeployment(dep.id, 'ex-1')).toBe(true);
      expect((await store.getDeployment(dep.id))?.active_execution_id).toBe('ex-1');
      expect(await store.acquireDeployment(dep.id, 'ex-2')).toBe(false);
      expect(await store.acquireDeployment(dep.id, 'ex-1')).toBe(true);
    });

    it('ignores a release by an execution that does not hold the deployment', async () => {
      const { dep } = await storedDeployment();
      expect(await store.acquireDeployment(dep.id, 'ex-1')).toBe(true);
      await store.releaseDeployment(dep.id, 'ex-2');
      expect((await store.getDeployment(dep.id))?.active_execution_id).toBe('ex-1');
      expect(await store.acquireDeployment(dep.id, 'ex-2')).toBe(false);
    });

    it('hands the deployment to another execution once the holder releases it', async () => {
      const { dep } = await storedDeployment();
      expect(await store.acquireDeployment(dep.id, 'ex-1')).toBe(true);
      await store.releaseDeployment(dep.id, 'ex-1');
      expect((await store.getDeployment(dep.id))?.active_execution_id ?? null).toBeNull();
      expect(await store.acquireDeployment(dep.id, 'ex-2')).toBe(true);
      expect((await store.getDeployment(dep.id))?.active_execution_id).toBe('ex-2');
    });

    it('grants a free deployment to exactly one of several racing executions', async () => {
      const { dep } = await storedDeployment();
      const got = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.acquireDeployment(dep.id, `ex-${i}`)),
      );
      expect(got.filter(Boolean)).toHaveLength(1);
    });

    it('reports a missing deployment as NotFoundError on acquire and ignores it on release', async () => {
      const id = uid('dep');
      expect(await rejection(store.acquireDeployment(id, 'ex-1'))).toBeInstanceOf(NotFoundError);
      await store.releaseDeployment(id, 'ex-1');
      expect(await store.getDeployment(id)).toBeNull();
    });
  });

  describe('node instances', () => {
    it("lists one node's instances only, even when another node's name starts with it", async () => {
      const dep = deployment();
      const web = instance(dep, 'web', { id: 'web_aaaaaa' });
      const webDb = instance(dep, 'web_db', { id: 'web_db_bbbbbb' });
      await store.createDeployment(dep, [node(dep, 'web'), node(dep, 'web_db')], [web, webDb]);
      expect((await store.listNodeInstances(dep.id, 'web')).map((i) => i.id)).toEqual(['web_aaaaaa']);
      expect((await store.listNodeInstances(dep.id, 'web_db')).map((i) => i.id)).toEqual(['web_db_bbbbbb']);
      expect(await store.listNodeInstances(dep.id)).toHaveLength(2);
    });

    it('sets the state and bumps the version, visible in the listing right after', async () => {
      const { dep, instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await store.setNodeInstanceState(ni.id, 'creating');
      await store.setNodeInstanceState(ni.id, 'created');
      const got = await store.getNodeInstance(ni.id);
      expect(got?.state).toBe('created');
      expect(got?.version).toBe(ni.version + 2);
      const listed = (await store.listNodeInstances(dep.id)).find((i) => i.id === ni.id);
      expect(listed).toEqual(got);
    });

    it('patches runtime properties key by key, including keys with dots and spaces, bumping the version', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await store.patchRuntimeProperties(ni.id, {
        set: { 'ip.address': '10.0.0.1', 'with space': 'yes', nested: { a: [1, 2] }, keep: true, gone: 1 },
        unset: [],
      });
      await store.patchRuntimeProperties(ni.id, {
        set: { 'with space': 'changed' },
        unset: ['gone', 'absent'],
      });
      const got = await store.getNodeInstance(ni.id);
      expect(got?.runtime_properties).toEqual({
        'ip.address': '10.0.0.1',
        'with space': 'changed',
        nested: { a: [1, 2] },
        keep: true,
      });
      expect(got?.version).toBe(ni.version + 2);
    });

    it('keeps every one of many concurrent patches of different keys, one version step each', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.patchRuntimeProperties(ni.id, { set: { [`k${i}`]: i }, unset: [] }),
        ),
      );
      const got = await store.getNodeInstance(ni.id);
      expect(got?.runtime_properties).toEqual(
        Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])),
      );
      expect(got?.version).toBe(ni.version + 10);
    });

    // DynamoDB refuses update expressions over 4 KB (~126 set keys); dynalite does not check, so this
    // test means something on DynamoDB Local above all
    it('applies a patch of 300 keys as one change, one version step', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      const set = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`output_${i}`, `value ${i}`]));
      await store.patchRuntimeProperties(ni.id, { set, unset: [] });
      await store.patchRuntimeProperties(ni.id, {
        set: {},
        unset: Array.from({ length: 200 }, (_, i) => `output_${i}`),
      });
      const got = await store.getNodeInstance(ni.id);
      expect(got?.runtime_properties).toEqual(
        Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`output_${i + 200}`, `value ${i + 200}`])),
      );
      expect(got?.version).toBe(ni.version + 2);
    });

    it('keeps a key that one patch both sets and unsets', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await store.patchRuntimeProperties(ni.id, { set: { k: 'v' }, unset: ['k'] });
      expect((await store.getNodeInstance(ni.id))?.runtime_properties).toEqual({ k: 'v' });
    });

    it('reports a missing instance as NotFoundError on state change and on patch, creating nothing', async () => {
      const id = uid('ghost');
      expect(await rejection(store.setNodeInstanceState(id, 'started'))).toBeInstanceOf(NotFoundError);
      const err = await rejection(store.patchRuntimeProperties(id, { set: { a: 1 }, unset: [] }));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toContain(id);
      expect(await store.getNodeInstance(id)).toBeNull();
    });

    it('replaces runtime properties and state when the version matches, returning the new record', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await store.patchRuntimeProperties(ni.id, { set: { old: 1 }, unset: [] });
      const updated = await store.updateNodeInstance(ni.id, ni.version + 1, {
        runtime_properties: { fresh: 'value' },
        state: 'started',
      });
      expect(updated).toEqual({
        ...ni,
        runtime_properties: { fresh: 'value' },
        state: 'started',
        version: ni.version + 2,
      });
      expect(await store.getNodeInstance(ni.id)).toEqual(updated);
    });

    it('refuses a stale version with a ConflictError naming the current version, changing nothing', async () => {
      const { instances } = await storedDeployment();
      const ni = instances[0];
      if (!ni) throw new Error('fixture has no instance');
      await store.setNodeInstanceState(ni.id, 'created');
      await store.setNodeInstanceState(ni.id, 'started');
      const current = ni.version + 2;
      const err = await rejection(
        store.updateNodeInstance(ni.id, ni.version, { runtime_properties: { x: 1 } }),
      );
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.status).toBe(409);
      expect(err.message).toContain(`version ${current}`);
      const got = await store.getNodeInstance(ni.id);
      expect(got?.runtime_properties).toEqual({});
      expect(got?.version).toBe(current);
    });

    it('reports updateNodeInstance of a missing instance as NotFoundError', async () => {
      expect(await rejection(store.updateNodeInstance(uid('ghost'), 1, { state: 'started' }))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe('executions', () => {
    it('creates an execution, reads it back and refuses its id a second time', async () => {
      const ex = execution();
      await store.createExecution(ex);
      expect(await store.getExecution(ex.id)).toEqual(ex);
      expect(await rejection(store.createExecution(ex))).toBeInstanceOf(ConflictError);
      expect(await store.getExecution(uid('ex'))).toBeNull();
    });

    it('lists executions by deployment and by status', async () => {
      const depId = uid('dep');
      const a = execution({
        deployment_id: depId,
        status: 'started',
        created_at: '2024-01-01T00:00:01.000Z',
      });
      const b = execution({
        deployment_id: depId,
        status: 'terminated',
        created_at: '2024-01-01T00:00:02.000Z',
      });
      const c = execution({ deployment_id: depId, status: 'failed', created_at: '2024-01-01T00:00:03.000Z' });
      const elsewhere = execution({ status: 'started' });
      await Promise.all([a, b, c, elsewhere].map((e) => store.createExecution(e)));
      expect((await store.listExecutions({ deployment_id: depId })).map((e) => e.id).sort()).toEqual(
        [a.id, b.id, c.id].sort(),
      );
      expect(
        (await store.listExecutions({ deployment_id: depId, status: ['terminated', 'failed'] }))
          .map((e) => e.id)
          .sort(),
      ).toEqual([b.id, c.id].sort());
      const started = (await store.listExecutions({ status: ['started'] })).map((e) => e.id);
      expect(started).toEqual(expect.arrayContaining([a.id, elsewhere.id]));
      expect(started).not.toContain(b.id);
      expect((await store.listExecutions()).map((e) => e.id)).toEqual(
        expect.arrayContaining([a.id, b.id, c.id, elsewhere.id]),
      );
    });

    it('updates an execution whose status is one of `from` and returns it with its internals', async () => {
      const ex = execution();
      await store.createExecution(ex);
      const updated = await store.updateExecution(ex.id, ['pending', 'queued'], {
        status: 'started',
        started_at: '2024-01-01T00:01:00.000Z',
        task_token: 'secret-token',
        graph_ready: true,
      });
      const expected = {
        ...ex,
        status: 'started',
        started_at: '2024-01-01T00:01:00.000Z',
        task_token: 'secret-token',
        graph_ready: true,
      };
      expect(updated).toEqual(expected);
      expect(await store.getExecution(ex.id)).toEqual(expected);
    });

    it('returns null and changes nothing when the status is not one of `from`', async () => {
      const ex = execution({ status: 'terminated' });
      await store.createExecution(ex);
      const got = await store.updateExecution(ex.id, ['pending', 'started'], {
        status: 'failed',
        error: 'boom',
      });
      expect(got).toBeNull();
      expect(await store.getExecution(ex.id)).toEqual(ex);
    });

    it('returns null for an update of a missing execution and does not create it', async () => {
      const id = uid('ex');
      expect(await store.updateExecution(id, ['pending'], { status: 'started' })).toBeNull();
      expect(await store.getExecution(id)).toBeNull();
    });

    it('keeps the task token out of listed executions', async () => {
      const ex = execution({ deployment_id: uid('dep') });
      await store.createExecution(ex);
      await store.updateExecution(ex.id, ['pending'], { task_token: 'secret-token', graph_ready: true });
      const [listed] = await store.listExecutions({ deployment_id: ex.deployment_id });
      expect(listed).toEqual(ex);
      expect(listed).not.toHaveProperty('task_token');
    });

    it('does not make up an execution when counting finished operations of a missing one', async () => {
      const id = uid('ex');
      await store.incrementFinished(id, 1).catch(() => undefined);
      expect(await store.getExecution(id)).toBeNull();
    });

    it('adds finished operations, concurrent increments all counted', async () => {
      const ex = execution();
      await store.createExecution(ex);
      await Promise.all(Array.from({ length: 10 }, () => store.incrementFinished(ex.id, 2)));
      expect((await store.getExecution(ex.id))?.finished_operations).toBe(20);
    });
  });

  describe('tasks', () => {
    it('writes a task named twice in one call once (the last copy)', async () => {
      const exId = uid('ex');
      const t = task(exId, 'a');
      await store.putTasks(exId, [t, { ...t, max_retries: 7 }]);
      expect((await store.listTasks(exId)).map((x) => x.max_retries)).toEqual([7]);
    });

    it('writes the same tasks twice and keeps one of each', async () => {
      const exId = uid('ex');
      const tasks = ['a', 'b', 'c'].map((id) => task(exId, id, { dependencies: id === 'a' ? [] : ['a'] }));
      await store.putTasks(exId, tasks);
      await store.putTasks(exId, tasks);
      const listed = await store.listTasks(exId);
      expect(listed.sort((x, y) => x.id.localeCompare(y.id))).toEqual(tasks);
      expect(await store.getTask(exId, 'b')).toEqual(tasks[1]);
      expect(await store.getTask(exId, 'missing')).toBeNull();
    });

    it('lists 1,000 tasks spread over every shard completely', async () => {
      const exId = uid('ex');
      const ids = Array.from({ length: 1000 }, (_, i) => `task-${i}`);
      expect(new Set(ids.map((id) => shardOf(id, TASK_SHARDS))).size).toBe(TASK_SHARDS);
      await store.putTasks(
        exId,
        ids.map((id) => task(exId, id)),
      );
      const listed = await store.listTasks(exId);
      expect(listed).toHaveLength(1000);
      expect(new Set(listed.map((t) => t.id))).toEqual(new Set(ids));
      expect(await store.listTasks(uid('ex'))).toEqual([]);
    });

    it('reads a set of tasks larger than one batch, skipping missing ids', async () => {
      const exId = uid('ex');
      const ids = Array.from({ length: 150 }, (_, i) => `t${i}`);
      await store.putTasks(
        exId,
        ids.map((id) => task(exId, id)),
      );
      const got = await store.getTasks(exId, [...ids, 'missing']);
      expect(new Set(got.map((t) => t.id))).toEqual(new Set(ids));
    });

    it('reads a set of tasks that names the same task twice', async () => {
      const exId = uid('ex');
      await store.putTasks(exId, [task(exId, 'a'), task(exId, 'b')]);
      const got = await store.getTasks(exId, ['a', 'b', 'a']);
      expect(got.map((t) => t.id).sort()).toEqual(['a', 'b']);
    });

    it('transitions a task whose state is one of `from` and returns it', async () => {
      const exId = uid('ex');
      await store.putTasks(exId, [task(exId, 't')]);
      const got = await store.transitionTask(
        exId,
        't',
        { from: ['pending'] },
        { state: 'sending', updated_at: '2024-01-01T00:02:00.000Z' },
      );
      expect(got).toEqual(task(exId, 't', { state: 'sending', updated_at: '2024-01-01T00:02:00.000Z' }));
      expect(await store.getTask(exId, 't')).toEqual(got);
    });

    it('returns null and changes nothing when the state or the attempt does not match', async () => {
      const exId = uid('ex');
      const t = task(exId, 't', { state: 'started', attempt: 1 });
      await store.putTasks(exId, [t]);
      expect(await store.transitionTask(exId, 't', { from: ['pending'] }, { state: 'sending' })).toBeNull();
      expect(
        await store.transitionTask(exId, 't', { from: ['started'], attempt: 0 }, { state: 'succeeded' }),
      ).toBeNull();
      expect(await store.getTask(exId, 't')).toEqual(t);
      const done = await store.transitionTask(
        exId,
        't',
        { from: ['started'], attempt: 1 },
        { state: 'succeeded', result: { ok: true } },
      );
      expect(done?.state).toBe('succeeded');
      expect(done?.result).toEqual({ ok: true });
    });

    it('returns null for a transition of a missing task and does not create it', async () => {
      const exId = uid('ex');
      expect(
        await store.transitionTask(exId, 'missing', { from: ['pending'] }, { state: 'sending' }),
      ).toBeNull();
      expect(await store.getTask(exId, 'missing')).toBeNull();
    });

    it('lets exactly one of several concurrent transitions from pending win', async () => {
      const exId = uid('ex');
      await store.putTasks(exId, [task(exId, 't')]);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.transitionTask(
            exId,
            't',
            { from: ['pending'] },
            { state: 'sending', updated_at: `winner-${i}` },
          ),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getTask(exId, 't'))?.updated_at).toBe(winners[0]?.updated_at);
    });

    it('adds the same finished dependency twice and keeps it once', async () => {
      const exId = uid('ex');
      await store.putTasks(exId, [task(exId, 't', { dependencies: ['a', 'b'] })]);
      expect((await store.addDoneDependency(exId, 't', 'a')).done_dependencies).toEqual(['a']);
      expect((await store.addDoneDependency(exId, 't', 'a')).done_dependencies).toEqual(['a']);
      expect((await store.getTask(exId, 't'))?.done_dependencies).toEqual(['a']);
    });

    it('keeps every one of many concurrent finished dependencies', async () => {
      const exId = uid('ex');
      const deps = Array.from({ length: 20 }, (_, i) => `dep-${i}`);
      await store.putTasks(exId, [task(exId, 't', { dependencies: deps })]);
      await Promise.all(deps.map((d) => store.addDoneDependency(exId, 't', d)));
      expect((await store.getTask(exId, 't'))?.done_dependencies.sort()).toEqual([...deps].sort());
    });

    it('reports a finished dependency of a missing task as NotFoundError, creating nothing', async () => {
      const exId = uid('ex');
      expect(await rejection(store.addDoneDependency(exId, 'missing', 'a'))).toBeInstanceOf(NotFoundError);
      expect(await store.getTask(exId, 'missing')).toBeNull();
    });
  });

  describe('events', () => {
    /** 40 events one second apart, every fifth a log, stored in a shuffled order. */
    async function storedEvents(): Promise<{ exId: string; events: StratusEvent[] }> {
      const exId = uid('ex');
      const events = Array.from({ length: 40 }, (_, i) =>
        event(exId, `${exId}-ev-${i}`, {
          timestamp: `2024-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
          ...(i % 5 === 0 ? { type: 'cloudify_log', event_type: null, level: 'info' } : {}),
        }),
      );
      const shuffled = [...events].sort((a, b) => shardOf(a.id, 97) - shardOf(b.id, 97));
      await store.putEvents(shuffled);
      return { exId, events };
    }

    it('lists only the events of a time range (both ends included), across shards, in order', async () => {
      const { exId, events } = await storedEvents();
      const page = await store.listEvents(exId, {
        offset: 0,
        size: 100,
        from: '2024-01-01T00:00:10.000Z',
        to: '2024-01-01T00:00:19.000Z',
      });
      expect(page.items.map((e) => e.id)).toEqual(events.slice(10, 20).map((e) => e.id));
      expect(page.total).toBe(10);
      const tail = await store.listEvents(exId, { offset: 0, size: 100, from: '2024-01-01T00:00:35.000Z' });
      expect(tail.items.map((e) => e.id)).toEqual(events.slice(35).map((e) => e.id));
    });

    it('stores an event named twice in one call once (the last copy)', async () => {
      const exId = uid('ex');
      const first = event(exId, `${exId}-dup`, { message: 'first' });
      await store.putEvents([first, { ...first, message: 'second' }]);
      const page = await store.listEvents(exId, { offset: 0, size: 100 });
      expect(page.items.map((e) => e.message)).toEqual(['second']);
    });

    it('stores an event written twice once', async () => {
      const exId = uid('ex');
      const events = [event(exId, `${exId}-1`), event(exId, `${exId}-2`)];
      await store.putEvents(events);
      await store.putEvents(events);
      const page = await store.listEvents(exId, { offset: 0, size: 100 });
      expect(page.total).toBe(2);
      expect(page.items.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(page.items.find((e) => e.id === events[0]?.id)).toEqual(events[0]);
    });

    it('stores an event once when it is written again with a later timestamp (a handler that ran twice)', async () => {
      const exId = uid('ex');
      const first = event(exId, `${exId}-started`, { event_type: 'workflow_started' });
      const again = {
        ...first,
        timestamp: '2024-01-01T00:00:05.000Z',
        reported_timestamp: '2024-01-01T00:00:05.000Z',
      };
      await store.putEvents([first]);
      await store.putEvents([again]);
      const page = await store.listEvents(exId, { offset: 0, size: 10 });
      expect(page.total).toBe(1);
      expect(page.items.map((e) => e.id)).toEqual([first.id]);
    });

    it('lists events of every shard in timestamp order', async () => {
      const { exId, events } = await storedEvents();
      expect(new Set(events.map((e) => shardOf(e.id, EVENT_SHARDS))).size).toBe(EVENT_SHARDS);
      const page = await store.listEvents(exId, { offset: 0, size: 1000 });
      expect(page.total).toBe(40);
      expect(page.items).toEqual(events);
    });

    it('orders events of the same timestamp by their place in the workflow', async () => {
      const exId = uid('ex');
      const ts = '2024-01-01T00:00:00.000Z';
      const end = event(exId, 'a-end', { event_type: 'workflow_succeeded', timestamp: ts });
      const start = event(exId, 'z-start', { event_type: 'workflow_started', timestamp: ts });
      const sent = event(exId, 'm-sent', { event_type: 'sending_task', timestamp: ts });
      await store.putEvents([end, sent, start]);
      const page = await store.listEvents(exId, { offset: 0, size: 10 });
      expect(page.items.map((e) => e.id)).toEqual([start.id, sent.id, end.id]);
    });

    it('pages with offset and size, giving the total of the whole list', async () => {
      const { exId, events } = await storedEvents();
      const page = await store.listEvents(exId, { offset: 10, size: 5 });
      expect(page.total).toBe(40);
      expect(page.items).toEqual(events.slice(10, 15));
      const tail = await store.listEvents(exId, { offset: 38, size: 5 });
      expect(tail.items).toEqual(events.slice(38));
      expect((await store.listEvents(exId, { offset: 40, size: 5 })).items).toEqual([]);
    });

    it('filters by type, the total counting only the matching events', async () => {
      const { exId, events } = await storedEvents();
      const logs = events.filter((e) => e.type === 'cloudify_log');
      const page = await store.listEvents(exId, { offset: 0, size: 100, types: ['cloudify_log'] });
      expect(page.total).toBe(logs.length);
      expect(page.items).toEqual(logs);
      const both = await store.listEvents(exId, { offset: 0, size: 100, types: [] });
      expect(both.total).toBe(40);
    });

    it('lists newest first when descending, paging from the newest', async () => {
      const { exId, events } = await storedEvents();
      const newest = [...events].reverse();
      const page = await store.listEvents(exId, { offset: 0, size: 100, descending: true });
      expect(page.items).toEqual(newest);
      const second = await store.listEvents(exId, { offset: 5, size: 5, descending: true });
      expect(second.items).toEqual(newest.slice(5, 10));
    });
  });
});

describe('on disk (dynalite only: DynamoDB Local runs in memory here)', () => {
  it('keeps records across a restart of dynalite on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stratus-dynalite-'));
    try {
      const bp = blueprint();
      const dep = deployment({ blueprint_id: bp.id });
      const ni = instance(dep, 'web');
      const exId = uid('ex');

      let emu = await startDynalite({ dataDir });
      let db = await open(emu.endpoint);
      await db.store.createBlueprint(bp);
      await db.store.createDeployment(dep, [node(dep, 'web')], [ni]);
      await db.store.patchRuntimeProperties(ni.id, { set: { ip: '10.0.0.1' }, unset: [] });
      await db.store.putTasks(exId, [task(exId, 't')]);
      await db.store.addDoneDependency(exId, 't', 'a');
      db.client.destroy();
      await emu.stop();

      emu = await startDynalite({ dataDir });
      db = await open(emu.endpoint);
      try {
        expect(await db.store.getBlueprint(bp.id)).toEqual(bp);
        expect(await db.store.getDeployment(dep.id)).toEqual(dep);
        expect(await db.store.listNodeInstances(dep.id)).toEqual([
          { ...ni, runtime_properties: { ip: '10.0.0.1' }, version: ni.version + 1 },
        ]);
        expect((await db.store.getTask(exId, 't'))?.done_dependencies).toEqual(['a']);
      } finally {
        db.client.destroy();
        await emu.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
