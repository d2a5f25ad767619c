import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StratusEvent, Task } from '../../../core/model.ts';
import {
  type Harness,
  harness,
  INPUTS_BLUEPRINT,
  startEmulator,
  stopEmulator,
  uploadYaml,
} from './support.ts';

beforeAll(startEmulator);
afterAll(stopEmulator);

async function withExecution(): Promise<{ h: Harness; executionId: string }> {
  const h = await harness();
  await uploadYaml(h, 'bp', INPUTS_BLUEPRINT);
  await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
  const { body } = await h.json('POST', '/executions', { deployment_id: 'dep', workflow_id: 'install' });
  return { h, executionId: body.id as string };
}

function event(executionId: string, i: number, type: StratusEvent['type']): StratusEvent {
  const ts = new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
  return {
    id: `ev-${i}`,
    execution_id: executionId,
    type,
    event_type: type === 'cloudify_event' ? 'workflow_node_event' : null,
    level: type === 'cloudify_log' ? 'info' : null,
    message: `message ${i}`,
    timestamp: ts,
    reported_timestamp: ts,
    deployment_id: 'dep',
    workflow_id: 'install',
    node_instance_id: null,
    node_name: null,
    operation: null,
    error_causes: null,
  };
}

describe('GET /events', () => {
  it('pages events in time order with pagination metadata', async () => {
    const { h, executionId } = await withExecution();
    await h.store.putEvents(
      [0, 1, 2, 3, 4].map((i) => event(executionId, i, i % 2 ? 'cloudify_log' : 'cloudify_event')),
    );
    const { status, body } = await h.json(
      'GET',
      `/events?execution_id=${executionId}&_offset=1&_size=2&_sort=@timestamp`,
    );
    expect(status).toBe(200);
    expect((body.items as StratusEvent[]).map((e) => e.message)).toEqual(['message 1', 'message 2']);
    expect(body.metadata).toEqual({ pagination: { total: 5, size: 2, offset: 1 } });
  });

  it('filters by repeated type and include_logs, newest first with -@timestamp', async () => {
    const { h, executionId } = await withExecution();
    await h.store.putEvents(
      [0, 1, 2, 3].map((i) => event(executionId, i, i % 2 ? 'cloudify_log' : 'cloudify_event')),
    );
    const eventsOnly = await h.json(
      'GET',
      `/events?execution_id=${executionId}&type=cloudify_event&_sort=-@timestamp`,
    );
    expect((eventsOnly.body.items as StratusEvent[]).map((e) => e.id)).toEqual(['ev-2', 'ev-0']);
    const both = await h.json(
      'GET',
      `/events?execution_id=${executionId}&type=cloudify_event&type=cloudify_log`,
    );
    expect((both.body.items as StratusEvent[]).map((e) => e.id)).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3']);
    const noLogs = await h.json('GET', `/events?execution_id=${executionId}&include_logs=false`);
    expect((noLogs.body.items as StratusEvent[]).map((e) => e.id)).toEqual(['ev-0', 'ev-2']);
  });

  it('keeps to a time range given as _range=@timestamp,FROM,TO (either end may be empty)', async () => {
    const { h, executionId } = await withExecution();
    await h.store.putEvents([0, 1, 2, 3, 4].map((i) => event(executionId, i, 'cloudify_event')));
    const mid = await h.json(
      'GET',
      `/events?execution_id=${executionId}&_range=@timestamp,2025-01-01T00:00:01Z,2025-01-01T00:00:03Z`,
    );
    expect((mid.body.items as StratusEvent[]).map((e) => e.id)).toEqual(['ev-1', 'ev-2', 'ev-3']);
    expect(mid.body.metadata).toMatchObject({ pagination: { total: 3 } });
    const since = await h.json(
      'GET',
      `/events?execution_id=${executionId}&_range=@timestamp,2025-01-01T00:00:04Z,`,
    );
    expect((since.body.items as StratusEvent[]).map((e) => e.id)).toEqual(['ev-4']);
    const bad = await h.json('GET', `/events?execution_id=${executionId}&_range=@timestamp,yesterday,`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('yesterday');
  });

  it('refuses a missing execution_id and an unknown type by name', async () => {
    const { h, executionId } = await withExecution();
    expect((await h.json('GET', '/events')).body.message).toContain('execution_id');
    const bad = await h.json('GET', `/events?execution_id=${executionId}&type=cloudify_gossip`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('cloudify_gossip');
  });
});

describe('GET /operations', () => {
  it('lists the task graph of an execution', async () => {
    const { h, executionId } = await withExecution();
    const task: Task = {
      id: 't1',
      kind: 'local',
      name: 'set_state',
      node_instance_id: null,
      dependencies: [],
      subgraph: null,
      actions: [{ type: 'set_state', state: 'creating' }],
      execution_id: executionId,
      state: 'pending',
      attempt: 0,
      order: 0,
      max_retries: 0,
      retry_interval: 0,
      dependents: [],
      done_dependencies: [],
      error: null,
      result: null,
      updated_at: '2025-01-01T00:00:00.000Z',
    };
    await h.store.putTasks(executionId, [task, { ...task, id: 't2', dependencies: ['t1'] }]);
    const { status, body } = await h.json(
      'GET',
      `/operations?execution_id=${executionId}&_include=id,dependencies,state`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [
        { id: 't1', dependencies: [], state: 'pending' },
        { id: 't2', dependencies: ['t1'], state: 'pending' },
      ],
      metadata: { pagination: { total: 2, size: 1000, offset: 0 } },
    });
  });
});
