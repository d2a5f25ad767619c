/**
 * `npm start --data-dir`: state survives a restart, and an execution that was running when the stack
 * stopped resumes when it starts again (its in-flight task is sent again: at-least-once).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { packDirectory } from '../../cli/archive.ts';
import { executionRecord } from '../../core/services/executions.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

const BLUEPRINT = join(import.meta.dirname, 'fixtures/wait-for-flag');
let dir = '';
let current: TestStack | null = null;

afterAll(async () => {
  await current?.stack.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a running execution survives a restart of the stack and finishes after it', async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratus-restart-'));
  const flag = join(dir, 'go');
  const dataDir = join(dir, 'data');

  current = await startTestStack({ dataDir });
  const first = current;
  await first.client.uploadBlueprint('wait', await packDirectory(BLUEPRINT));
  await first.client.createDeployment('wait', 'wait', { flag });
  const exec = await first.client.startExecution('wait', 'install');
  await until('the create task to start', async () => {
    const ops = await first.client.operations(exec.id);
    return ops.find((o) => o.name === 'cloudify.interfaces.lifecycle.create' && o.state === 'started');
  });
  await first.stack.stop(); // the script is killed, the queue's messages are lost with the process
  current = null;

  const second = await startTestStack({ dataDir });
  current = second;
  // what was stored is still there, including the blueprint's scripts
  expect((await second.client.request<{ id: string }>('GET', '/blueprints/wait')).id).toBe('wait');
  expect((await second.client.getExecution(exec.id)).status).toBe('started');

  await writeFile(flag, '');
  const done = await second.client.waitForExecution(exec.id, { timeoutMs: 30_000 });
  expect(done).toMatchObject({ status: 'terminated', error: '' });
  const app = (await second.client.nodeInstances('wait')).find((i) => i.node_id === 'app');
  expect(app?.state).toBe('started');
  // the first run was killed before it wrote anything; the resent task ran once to the end
  expect(app?.runtime_properties.runs).toBe(1);
});

it('an execution that ended but still held its deployment (Finalize cut short) frees it at restart', async () => {
  const base = dir || (await mkdtemp(join(tmpdir(), 'stratus-restart-')));
  dir = base;
  const dataDir = join(base, 'data2');
  current = await startTestStack({ dataDir });
  const { stack, client } = current;
  await client.uploadBlueprint('held', await packDirectory(BLUEPRINT));
  await client.createDeployment('held', 'held', { flag: join(base, 'unused') });
  // what a crash between "status recorded" and "deployment released" leaves behind
  const now = new Date().toISOString();
  await stack.deps.store.createExecution(
    executionRecord({
      id: 'ended-but-holding',
      deployment_id: 'held',
      blueprint_id: 'held',
      workflow_id: 'install',
      status: 'failed',
      created_at: now,
      started_at: now,
      ended_at: now,
      error: 'crashed',
    }),
  );
  expect(await stack.deps.store.acquireDeployment('held', 'ended-but-holding')).toBe(true);
  const queued = await client.request<{ id: string; status: string }>('POST', '/executions', {
    deployment_id: 'held',
    workflow_id: 'uninstall',
    queue: true,
  });
  expect(queued.status).toBe('queued');
  await stack.stop();
  current = null;

  current = await startTestStack({ dataDir });
  const done = await current.client.waitForExecution(queued.id, { timeoutMs: 30_000 });
  expect(done.status).toBe('terminated');
  expect(
    (await current.client.request<{ active_execution_id: string | null }>('GET', '/deployments/held'))
      .active_execution_id,
  ).toBeNull();
});
