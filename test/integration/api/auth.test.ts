import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, harness, startEmulator, stopEmulator, TOKEN } from './support.ts';

beforeAll(startEmulator);
afterAll(stopEmulator);

const ROUTES: [string, string][] = [
  ['GET', '/status'],
  ['GET', '/version'],
  ['PUT', '/blueprints/bp'],
  ['GET', '/blueprints/bp'],
  ['DELETE', '/blueprints/bp'],
  ['GET', '/blueprints'],
  ['PUT', '/deployments/d'],
  ['GET', '/deployments/d'],
  ['DELETE', '/deployments/d'],
  ['GET', '/deployments'],
  ['GET', '/deployments/d/outputs'],
  ['GET', '/nodes?deployment_id=d'],
  ['GET', '/node-instances?deployment_id=d'],
  ['GET', '/node-instances/ni'],
  ['PATCH', '/node-instances/ni'],
  ['POST', '/executions'],
  ['GET', '/executions/e'],
  ['GET', '/executions'],
  ['POST', '/executions/e'],
  ['GET', '/events?execution_id=e'],
  ['GET', '/operations?execution_id=e'],
];

describe('API authentication', () => {
  it.each(ROUTES)('%s %s answers 401 JSON without a token and with a wrong one', async (method, path) => {
    const h = await harness();
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { 'authentication-token': 'nope' },
    ];
    for (const headers of variants) {
      const res = await h.app.request(`${BASE}${path}`, { method, headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error_code: string; message: string };
      expect(body.error_code).toBe('unauthorized_error');
      expect(body.message).not.toContain(TOKEN);
    }
  });

  it('accepts the token as a Bearer Authorization header and as Cloudify Authentication-Token', async () => {
    const h = await harness();
    const bearer = await h.app.request(`${BASE}/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const cloudify = await h.app.request(`${BASE}/status`, { headers: { 'authentication-token': TOKEN } });
    expect(bearer.status).toBe(200);
    expect(cloudify.status).toBe(200);
    expect(await cloudify.json()).toEqual({ status: 'OK', services: {} });
  });

  it('refuses a Basic Authorization header even if the token is in it', async () => {
    const h = await harness();
    const res = await h.app.request(`${BASE}/status`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
    });
    expect(res.status).toBe(401);
  });

  it('takes the Authentication-Token when Basic credentials come with it (Cloudify client)', async () => {
    const h = await harness();
    const res = await h.app.request(`${BASE}/status`, {
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=', 'authentication-token': TOKEN },
    });
    expect(res.status).toBe(200);
  });

  it('accepts the default tenant and names any other tenant as not found', async () => {
    const h = await harness();
    const ok = await h.call('GET', '/status', { headers: { tenant: 'default_tenant' } });
    expect(ok.status).toBe(200);
    const other = await h.call('GET', '/status', { headers: { tenant: 'acme' } });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({
      error_code: 'not_found_error',
      message: expect.stringContaining('acme'),
    });
  });

  it('in iam mode trusts the gateway and asks for no token', async () => {
    const h = await harness({ auth: { mode: 'iam' } });
    const res = await h.app.request(`${BASE}/version`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ api_version: 'v3.1' });
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const h = await harness();
    const res = await h.call('GET', '/no-such-thing');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error_code: 'not_found_error' });
  });
});
