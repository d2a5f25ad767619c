import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, INPUTS_BLUEPRINT, startEmulator, stopEmulator, uploadYaml } from './support.ts';

beforeAll(startEmulator);
afterAll(stopEmulator);

async function instance() {
  const h = await harness();
  await uploadYaml(h, 'bp', INPUTS_BLUEPRINT);
  await h.json('PUT', '/deployments/dep', { blueprint_id: 'bp', inputs: { port: 1 } });
  const [ni] = await h.store.listNodeInstances('dep');
  if (!ni) throw new Error('no node instance');
  return { h, ni };
}

describe('node instances', () => {
  it('GET returns the instance in Cloudify shape', async () => {
    const { h, ni } = await instance();
    const { status, body } = await h.json('GET', `/node-instances/${ni.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: ni.id,
      node_id: 'host',
      deployment_id: 'dep',
      version: ni.version,
      runtime_properties: {},
    });
    expect(body).not.toHaveProperty('pk');
  });

  it('PATCH with the current version replaces runtime properties and bumps the version', async () => {
    const { h, ni } = await instance();
    const { status, body } = await h.json('PATCH', `/node-instances/${ni.id}`, {
      version: ni.version,
      runtime_properties: { ip: '10.0.0.9' },
      state: 'started',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      runtime_properties: { ip: '10.0.0.9' },
      state: 'started',
      version: ni.version + 1,
    });
  });

  it('PATCH with a stale version answers 409 conflict_error and changes nothing', async () => {
    const { h, ni } = await instance();
    await h.json('PATCH', `/node-instances/${ni.id}`, { version: ni.version, runtime_properties: { a: 1 } });
    const stale = await h.json('PATCH', `/node-instances/${ni.id}`, {
      version: ni.version,
      runtime_properties: { a: 2 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error_code).toBe('conflict_error');
    expect((await h.store.getNodeInstance(ni.id))?.runtime_properties).toEqual({ a: 1 });
  });

  it("answers Cloudify's client: _evaluate_functions on GET, force=True in the PATCH query", async () => {
    const { h, ni } = await instance();
    expect((await h.json('GET', `/node-instances/${ni.id}?_evaluate_functions=False`)).status).toBe(200);
    await h.json('PATCH', `/node-instances/${ni.id}`, { version: ni.version, runtime_properties: { a: 1 } });
    const forced = await h.json('PATCH', `/node-instances/${ni.id}?force=True`, {
      version: ni.version,
      runtime_properties: { a: 2 },
    });
    expect(forced.status).toBe(200);
    expect((await h.store.getNodeInstance(ni.id))?.runtime_properties).toEqual({ a: 2 });
  });

  it('refuses an integer too large to keep exactly, naming it, and changes nothing', async () => {
    const { h, ni } = await instance();
    const res = await h.call('PATCH', `/node-instances/${ni.id}`, {
      body: `{"version": ${ni.version}, "runtime_properties": {"vm_id": 12345678901234567890}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('vm_id');
    expect((await h.store.getNodeInstance(ni.id))?.runtime_properties).toEqual({});
  });

  it('PATCH refuses an unknown state naming the allowed ones', async () => {
    const { h, ni } = await instance();
    const { status, body } = await h.json('PATCH', `/node-instances/${ni.id}`, {
      version: ni.version,
      state: 'dancing',
    });
    expect(status).toBe(400);
    expect(body.message).toContain('state');
    expect(body.message).toContain('uninitialized');
  });

  it('lists need a deployment_id and answer 404 for an unknown deployment', async () => {
    const { h } = await instance();
    expect((await h.json('GET', '/node-instances')).body.message).toContain('deployment_id');
    expect((await h.json('GET', '/node-instances?deployment_id=nope')).status).toBe(404);
  });
});
