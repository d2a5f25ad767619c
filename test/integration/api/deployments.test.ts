import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, INPUTS_BLUEPRINT, startEmulator, stopEmulator, uploadYaml } from './support.ts';

beforeAll(startEmulator);
afterAll(stopEmulator);

async function withBlueprint() {
  const h = await harness();
  await uploadYaml(h, 'bp', INPUTS_BLUEPRINT);
  return h;
}

describe('PUT /deployments/{id}', () => {
  it('creates the deployment with defaults applied, its nodes and one instance per node', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', {
      blueprint_id: 'bp',
      inputs: { port: 8080 },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ id: 'dep', blueprint_id: 'bp', inputs: { port: 8080, name: 'web' } });
    expect((body.workflows as { name: string }[]).map((w) => w.name)).toContain('install');

    const nodes = await h.json('GET', '/nodes?deployment_id=dep');
    expect((nodes.body.items as { id: string }[]).map((n) => n.id)).toEqual(['host']);
    const instances = await h.json('GET', '/node-instances?deployment_id=dep');
    const items = instances.body.items as { id: string; state: string; node_id: string }[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ node_id: 'host', state: 'uninitialized' });
    expect(items[0]?.id).toMatch(/^host_[a-z0-9]{6}$/);
  });

  it('accepts the Cloudify fields Stratus ignores, booleans as strings included', async () => {
    const h = await withBlueprint();
    const { status } = await h.json('PUT', '/deployments/dep', {
      blueprint_id: 'bp',
      inputs: { port: 1 },
      visibility: 'tenant',
      labels: [],
      site_name: null,
      display_name: 'dep',
      skip_plugins_validation: 'false',
      runtime_only_evaluation: false,
    });
    expect(status).toBe(201);
  });

  it('refuses an unknown body field by name', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', {
      blueprint_id: 'bp',
      inputs: { port: 1 },
      colour: 1,
    });
    expect(status).toBe(400);
    expect(body.message).toContain('colour');
  });

  it('names a missing blueprint_id', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', { inputs: {} });
    expect(status).toBe(400);
    expect(body.message).toContain('blueprint_id');
  });

  it.each([
    ['a missing required input', {}, 'port'],
    ['an unknown input', { port: 1, colour: 'red' }, 'colour'],
    ['an input of the wrong type', { port: 'eighty' }, 'port'],
  ])('refuses %s, naming it, and creates nothing', async (_what, inputs, name) => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs });
    expect(status).toBe(400);
    expect(body.message).toContain(name);
    expect((await h.json('GET', '/deployments/dep')).status).toBe(404);
  });

  it('answers 404 for a blueprint that does not exist', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', { blueprint_id: 'nope', inputs: {} });
    expect(status).toBe(404);
    expect(body.message).toContain('nope');
  });

  it('refuses a second deployment with the same id', async () => {
    const h = await withBlueprint();
    await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
    const again = await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
    expect(again.status).toBe(409);
  });

  it('refuses a JSON body over the limit with 413', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('PUT', '/deployments/dep', {
      blueprint_id: 'bp',
      inputs: { port: 1, name: 'x'.repeat(1024 * 1024 + 10) },
    });
    expect(status).toBe(413);
    expect(body.error_code).toBe('payload_too_large_error');
  });
});

describe('deployment reads and removal', () => {
  it('evaluates outputs on read', async () => {
    const h = await withBlueprint();
    await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 8080 } });
    const { status, body } = await h.json('GET', '/deployments/dep/outputs');
    expect(status).toBe(200);
    expect(body).toEqual({ deployment_id: 'dep', outputs: { port: 8080 } });
  });

  it('lists deployments with pagination metadata and a blueprint filter', async () => {
    const h = await withBlueprint();
    for (const id of ['d1', 'd2', 'd3'])
      await h.json('PUT', `/deployments/${id}`, { blueprint_id: 'bp', inputs: { port: 1 } });
    const { body } = await h.json('GET', '/deployments?blueprint_id=bp&_size=2&_include=id,blueprint_id');
    expect(body).toEqual({
      items: [
        { id: 'd1', blueprint_id: 'bp' },
        { id: 'd2', blueprint_id: 'bp' },
      ],
      metadata: { pagination: { total: 3, size: 2, offset: 0 } },
    });
  });

  it('refuses unknown query parameters by name', async () => {
    const h = await withBlueprint();
    const { status, body } = await h.json('GET', '/deployments?colour=red');
    expect(status).toBe(400);
    expect(body.message).toContain('colour');
  });

  it('refuses to delete a deployment with live instances unless forced', async () => {
    const h = await withBlueprint();
    await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
    const [ni] = (await h.store.listNodeInstances('dep')) as { id: string }[];
    await h.store.setNodeInstanceState(ni!.id, 'started');
    const refused = await h.json('DELETE', '/deployments/dep');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error_code: 'dependent_exists_error',
      message: expect.stringContaining(ni!.id),
    });
    expect((await h.json('DELETE', '/deployments/dep?force=true')).status).toBe(204);
    expect((await h.json('GET', '/deployments/dep')).status).toBe(404);
  });

  it('refuses to delete a deployment while an execution runs, even forced', async () => {
    const h = await withBlueprint();
    await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
    const started = await h.json('POST', '/executions', { deployment_id: 'dep', workflow_id: 'install' });
    const refused = await h.json('DELETE', '/deployments/dep?force=true');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(started.body.id as string);
  });

  it('never lets a deletion and an execution start both succeed when they race', async () => {
    const h = await withBlueprint();
    for (let i = 0; i < 6; i++) {
      const id = `race-${i}`;
      await h.json('PUT', `/deployments/${id}`, { blueprint_id: 'bp', inputs: { port: 1 } });
      const [start, del] = await Promise.all([
        h.json('POST', '/executions', { deployment_id: id, workflow_id: 'install', queue: i % 2 === 0 }),
        h.json('DELETE', `/deployments/${id}`),
      ]);
      // a queued start has not started: it either runs later or is cancelled with the deployment
      const started = start.status < 300 && start.body.status === 'pending';
      expect({ started, deleted: del.status < 300 }).not.toEqual({ started: true, deleted: true });
      if (del.status < 300 && start.status < 300 && start.body.status === 'queued') {
        // queued while the deletion held the deployment: it will never run, and says why
        const e = await h.json('GET', `/executions/${start.body.id as string}`);
        expect(e.body).toMatchObject({ status: 'cancelled', error: expect.stringContaining('deleted') });
      }
    }
  });
});
