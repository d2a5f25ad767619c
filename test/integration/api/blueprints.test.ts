import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzOf, zipOf } from './archives.ts';
import {
  harness,
  helloWorldFiles,
  INPUTS_BLUEPRINT,
  startEmulator,
  stopEmulator,
  uploadYaml,
} from './support.ts';

beforeAll(startEmulator);
afterAll(stopEmulator);

type Json = Record<string, unknown>;

describe('PUT /blueprints/{id}', () => {
  it('accepts a single YAML document and stores it under blueprints/<id>/', async () => {
    const h = await harness();
    const res = await h.call('PUT', '/blueprints/inputs', {
      body: INPUTS_BLUEPRINT,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(res.status).toBe(201);
    const bp = (await res.json()) as Json;
    expect(bp).toMatchObject({ id: 'inputs', main_file_name: 'blueprint.yaml', state: 'uploaded' });
    expect(await h.blobs.keys()).toEqual(['blueprints/inputs/blueprint.yaml']);
  });

  it('sniffs YAML sent as application/octet-stream', async () => {
    const h = await harness();
    const res = await h.call('PUT', '/blueprints/sniffed', {
      body: INPUTS_BLUEPRINT,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(201);
  });

  it('accepts an archive sent the way `curl --data-binary` sends it (form-urlencoded type)', async () => {
    const h = await harness();
    const res = await h.call('PUT', '/blueprints/curl?application_file_name=blueprint.yaml', {
      body: zipOf(helloWorldFiles()),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it('of two uploads racing for one id, the refused one writes none of its files', async () => {
    const h = await harness();
    const variant = (text: string) => {
      const files = helloWorldFiles();
      files.set('scripts/create.sh', new TextEncoder().encode(text));
      return zipOf(files);
    };
    const put = (body: Uint8Array) =>
      h.call('PUT', '/blueprints/raced?application_file_name=blueprint.yaml', {
        body,
        headers: { 'content-type': 'application/zip' },
      });
    const [a, b] = await Promise.all([put(variant('echo A')), put(variant('echo B'))]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? 'echo A' : 'echo B';
    const stored = await h.blobs.get('blueprints/raced/scripts/create.sh');
    expect(new TextDecoder().decode(stored ?? new Uint8Array())).toBe(winner);
    expect((await h.json('GET', '/blueprints/raced')).body.state).toBe('uploaded');
  });

  it('accepts a raw zip archive with ?application_file_name= and stores every file', async () => {
    const h = await harness();
    const res = await h.call('PUT', '/blueprints/hw?application_file_name=blueprint.yaml', {
      body: zipOf(helloWorldFiles()),
      headers: { 'content-type': 'application/zip' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await h.blobs.keys()).toContain('blueprints/hw/scripts/create.sh');
    expect(await h.blobs.keys()).toContain('blueprints/hw/blueprint.yaml');
  });

  it("accepts Cloudify's multipart form: params JSON and a tar.gz blueprint_archive", async () => {
    const h = await harness();
    const form = new FormData();
    form.set(
      'params',
      JSON.stringify({
        visibility: 'tenant',
        async_upload: false,
        skip_execution: false,
        application_file_name: 'blueprint.yaml',
      }),
    );
    form.set(
      'blueprint_archive',
      new Blob([await tarGzOf(helloWorldFiles())], { type: 'text/plain' }),
      'filename',
    );
    const res = await h.call('PUT', '/blueprints/hw', { body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    const got = (await (await h.call('GET', '/blueprints/hw')).json()) as { plan: Json };
    expect(got.plan.inputs).toHaveProperty('webserver_port');
    expect(got.plan).not.toHaveProperty('nodes');
    const full = (await (await h.call('GET', '/blueprints/hw?_include=id,plan')).json()) as {
      plan: { nodes: unknown[] };
    };
    expect(full.plan.nodes.map((n) => (n as { id: string }).id).sort()).toEqual(['http_web_server', 'vm']);
    expect(Object.keys(full).sort()).toEqual(['id', 'plan']);
  });

  it('refuses an invalid blueprint with the issue text and stores nothing', async () => {
    const h = await harness();
    const bad = INPUTS_BLUEPRINT.replace('type: cloudify.nodes.Compute', 'type: no.such.Type');
    const res = await h.call('PUT', '/blueprints/bad', {
      body: bad,
      headers: { 'content-type': 'text/yaml' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe('invalid_blueprint_error');
    expect(body.message).toContain('no.such.Type');
    expect(body.message).toContain('node_templates.host');
    expect(await h.blobs.keys()).toEqual([]);
    expect((await h.call('GET', '/blueprints/bad')).status).toBe(404);
  });

  it('refuses an id that is taken with 409 conflict_error', async () => {
    const h = await harness();
    await uploadYaml(h, 'once', INPUTS_BLUEPRINT);
    const again = await h.call('PUT', '/blueprints/once', {
      body: INPUTS_BLUEPRINT,
      headers: { 'content-type': 'text/yaml' },
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error_code: 'conflict_error' });
  });

  it('refuses an unknown params field by name', async () => {
    const h = await harness();
    const form = new FormData();
    form.set('params', JSON.stringify({ application_file_name: 'blueprint.yaml', colour: 'blue' }));
    form.set('blueprint_archive', new Blob([INPUTS_BLUEPRINT]), 'blueprint.yaml');
    const res = await h.call('PUT', '/blueprints/x', { body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('colour');
  });

  it('refuses a body over the upload limit with 413 JSON', async () => {
    const h = await harness({ limits: { blueprintBytes: 1000 } });
    const res = await h.call('PUT', '/blueprints/big', {
      body: `${INPUTS_BLUEPRINT}\n# ${'x'.repeat(2000)}\n`,
      headers: { 'content-type': 'text/yaml' },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error_code: 'payload_too_large_error' });
    expect(await h.blobs.keys()).toEqual([]);
  });

  it('refuses ids that could escape the storage prefix', async () => {
    const h = await harness();
    const res = await h.call('PUT', '/blueprints/a%2Fb', {
      body: INPUTS_BLUEPRINT,
      headers: { 'content-type': 'text/yaml' },
    });
    expect(res.status).toBe(400);
    expect(await h.blobs.keys()).toEqual([]);
  });
});

describe('GET and DELETE /blueprints', () => {
  it('lists with pagination metadata, _sort and _include', async () => {
    const h = await harness();
    for (const id of ['b1', 'b2', 'b3']) await uploadYaml(h, id, INPUTS_BLUEPRINT);
    const { status, body } = await h.json('GET', '/blueprints?_size=2&_offset=1&_sort=-id&_include=id');
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [{ id: 'b2' }, { id: 'b1' }],
      metadata: { pagination: { total: 3, size: 2, offset: 1 } },
    });
  });

  it('refuses an unknown _include field by name', async () => {
    const h = await harness();
    const { status, body } = await h.json('GET', '/blueprints?_include=id,colour');
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error_code: 'no_such_include_field_error',
      message: expect.stringContaining('colour'),
    });
  });

  it('refuses to delete a blueprint its deployments use, then deletes it and its files', async () => {
    const h = await harness();
    await uploadYaml(h, 'used', INPUTS_BLUEPRINT);
    expect(
      (await h.json('PUT', '/deployments/d1', { blueprint_id: 'used', inputs: { port: 80 } })).status,
    ).toBe(201);
    const refused = await h.json('DELETE', '/blueprints/used');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error_code: 'dependent_exists_error',
      message: expect.stringContaining('d1'),
    });
    expect((await h.json('DELETE', '/deployments/d1')).status).toBe(204);
    expect((await h.json('DELETE', '/blueprints/used')).status).toBe(204);
    expect((await h.json('GET', '/blueprints/used')).status).toBe(404);
    expect(await h.blobs.keys()).toEqual([]);
  });
});
