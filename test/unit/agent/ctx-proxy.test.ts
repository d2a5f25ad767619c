import { afterEach, describe, expect, it } from 'vitest';
import { type CtxProxy, startCtxProxy } from '../../../agent/ctx-proxy.ts';

let proxy: CtxProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('ctx proxy', () => {
  it('listens on 127.0.0.1 behind a random path and answers Cloudify-style results and errors', async () => {
    proxy = await startCtxProxy((args) => {
      if (args[0] === 'boom') throw new Error('it broke');
      return { echo: args };
    });
    const url = new URL(proxy.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/ctx\/[A-Za-z0-9_-]{24}$/);

    const ok = await post(proxy.url, JSON.stringify({ args: ['a', 1] }));
    expect(await ok.json()).toEqual({ type: 'result', payload: { echo: ['a', 1] } });
    const failed = await post(proxy.url, JSON.stringify({ args: ['boom'] }));
    expect(await failed.json()).toEqual({ type: 'error', payload: { type: 'Error', message: 'it broke' } });
  });

  it('refuses another path and a body without args', async () => {
    proxy = await startCtxProxy(() => null);
    const guessed = await post(`${new URL(proxy.url).origin}/ctx/guess`, JSON.stringify({ args: [] }));
    expect(guessed.status).toBe(404);
    const bad = await post(proxy.url, JSON.stringify({ nope: 1 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      type: 'error',
      payload: { message: 'request body must be {"args": [...]}' },
    });
  });

  it('gives each operation a different URL', async () => {
    proxy = await startCtxProxy(() => null);
    const other = await startCtxProxy(() => null);
    try {
      expect(new URL(other.url).pathname).not.toBe(new URL(proxy.url).pathname);
    } finally {
      await other.close();
    }
  });
});
