import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNextQueued } from '../../../core/services/executions.ts';
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

async function withDeployment(): Promise<Harness> {
  const h = await harness();
  await uploadYaml(h, 'bp', INPUTS_BLUEPRINT);
  const { status } = await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
  expect(status).toBe(201);
  return h;
}

/** What Cloudify's REST client sends to start a workflow. */
function cloudifyStart(workflow: string, extra: Record<string, unknown> = {}) {
  return {
    deployment_id: 'dep',
    workflow_id: workflow,
    parameters: null,
    allow_custom_parameters: 'false',
    force: 'false',
    dry_run: 'false',
    queue: 'false',
    scheduled_time: null,
    wait_after_fail: 600,
    ...extra,
  };
}

describe('POST /executions', () => {
  it('creates a pending execution, takes the deployment and starts the orchestrator', async () => {
    const h = await withDeployment();
    const { status, body } = await h.json('POST', '/executions', cloudifyStart('install'));
    expect(status).toBe(201);
    expect(body).toMatchObject({
      deployment_id: 'dep',
      workflow_id: 'install',
      status: 'pending',
      is_dry_run: false,
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.orchestrator.started).toEqual([body.id]);
    expect((await h.store.getDeployment('dep'))?.active_execution_id).toBe(body.id);
  });

  it('refuses a second execution while one runs, naming the running one, and records nothing', async () => {
    const h = await withDeployment();
    const first = await h.json('POST', '/executions', cloudifyStart('install'));
    const second = await h.json('POST', '/executions', cloudifyStart('uninstall'));
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({ error_code: 'existing_running_execution_error' });
    expect(second.body.message).toContain(first.body.id as string);
    expect(h.orchestrator.started).toEqual([first.body.id]);
    expect((await h.json('GET', '/executions?deployment_id=dep')).body.metadata).toEqual({
      pagination: { total: 1, size: 1000, offset: 0 },
    });
  });

  it('queues an execution when asked, and startNextQueued starts the oldest one after release', async () => {
    const h = await withDeployment();
    const first = await h.json('POST', '/executions', cloudifyStart('install'));
    const q1 = await h.json('POST', '/executions', cloudifyStart('uninstall', { queue: 'true' }));
    const q2 = await h.json('POST', '/executions', cloudifyStart('install', { queue: true }));
    expect(q1.status).toBe(201);
    expect(q1.body.status).toBe('queued');
    expect(q2.body.status).toBe('queued');
    expect(h.orchestrator.started).toEqual([first.body.id]);

    // what Finalize does when the first one ends
    await h.store.updateExecution(first.body.id as string, ['pending'], { status: 'terminated' });
    await h.store.releaseDeployment('dep', first.body.id as string);
    const next = await startNextQueued(h.deps, 'dep');
    expect(next?.id).toBe(q1.body.id);
    expect(next?.status).toBe('pending');
    expect(h.orchestrator.started).toEqual([first.body.id, q1.body.id]);
    expect((await h.json('GET', `/executions/${q2.body.id}`)).body.status).toBe('queued');
    // the deployment is held again: nothing more starts
    expect(await startNextQueued(h.deps, 'dep')).toBeNull();
  });

  it('starts a queued request at once when the deployment is free', async () => {
    const h = await withDeployment();
    const { body } = await h.json('POST', '/executions', cloudifyStart('install', { queue: 'true' }));
    expect(body.status).toBe('pending');
    expect(h.orchestrator.started).toEqual([body.id]);
  });

  it('names the available workflows when the workflow does not exist', async () => {
    const h = await withDeployment();
    const { status, body } = await h.json('POST', '/executions', cloudifyStart('dance'));
    expect(status).toBe(400);
    expect(body.error_code).toBe('nonexistent_workflow_error');
    expect(body.message).toContain('dance');
    expect(body.message).toContain('install');
  });

  it('refuses undeclared parameters by name unless allow_custom_parameters is true', async () => {
    const h = await withDeployment();
    const refused = await h.json(
      'POST',
      '/executions',
      cloudifyStart('install', { parameters: { tempo: 3 } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error_code: 'illegal_execution_parameters_error' });
    expect(refused.body.message).toContain('tempo');
    const allowed = await h.json(
      'POST',
      '/executions',
      cloudifyStart('install', { parameters: { tempo: 3 }, allow_custom_parameters: 'true' }),
    );
    expect(allowed.status).toBe(201);
    expect((allowed.body.parameters as Record<string, unknown>).tempo).toBe(3);
  });

  it('refuses a non-boolean flag and an unknown field by name', async () => {
    const h = await withDeployment();
    const badFlag = await h.json('POST', '/executions', cloudifyStart('install', { dry_run: 'maybe' }));
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.message).toContain('dry_run');
    const unknown = await h.json('POST', '/executions', cloudifyStart('install', { priority: 1 }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('priority');
    expect(h.orchestrator.started).toEqual([]);
  });

  it('fails the execution and frees the deployment when the orchestrator cannot start it', async () => {
    const h = await withDeployment();
    h.orchestrator.failNextStart = new Error('state machine unavailable');
    const res = await h.json('POST', '/executions', cloudifyStart('install'));
    expect(res.status).toBe(500);
    expect(res.body.message).not.toContain('state machine unavailable');
    const [failed] = (await h.json('GET', '/executions?deployment_id=dep')).body.items as {
      status: string;
    }[];
    expect(failed?.status).toBe('failed');
    expect((await h.store.getDeployment('dep'))?.active_execution_id ?? null).toBeNull();
  });
});

describe('execution reads', () => {
  it('never returns the task token', async () => {
    const h = await withDeployment();
    const { body } = await h.json('POST', '/executions', cloudifyStart('install'));
    await h.store.updateExecution(body.id as string, ['pending'], {
      status: 'started',
      task_token: 'SECRET-TOKEN',
    });
    const one = await h.call('GET', `/executions/${body.id}`);
    const list = await h.call('GET', '/executions');
    for (const text of [await one.text(), await list.text()]) {
      expect(text).not.toContain('SECRET-TOKEN');
      expect(text).not.toContain('task_token');
    }
  });

  it('filters by status and refuses an unknown status naming the allowed ones', async () => {
    const h = await withDeployment();
    await h.json('POST', '/executions', cloudifyStart('install'));
    await h.json('POST', '/executions', cloudifyStart('uninstall', { queue: true }));
    const queued = await h.json(
      'GET',
      '/executions?deployment_id=dep&status=queued&_include=workflow_id,status',
    );
    expect(queued.body.items).toEqual([{ workflow_id: 'uninstall', status: 'queued' }]);
    const bad = await h.json('GET', '/executions?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('terminated');
  });

  it('answers the execution actions with a 400 that says they are not available yet', async () => {
    const h = await withDeployment();
    const { body } = await h.json('POST', '/executions', cloudifyStart('install'));
    const cancel = await h.json('POST', `/executions/${body.id}`, { action: 'cancel' });
    expect(cancel.status).toBe(400);
    expect(cancel.body.message).toContain('not implemented');
    const bogus = await h.json('POST', `/executions/${body.id}`, { action: 'dance' });
    expect(bogus.status).toBe(400);
    expect(bogus.body.message).toContain('force-cancel');
  });
});
