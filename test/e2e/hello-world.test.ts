/**
 * The whole flow on the embedded local stack: HTTP API → state machine (the CDK definition, in
 * aws-local-stepfunctions) → dispatch → SQS → agent running the real scripts → results → advance →
 * finalize. Nothing here is mocked.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packDirectory } from '../../cli/archive.ts';
import type { StratusEvent } from '../../core/model.ts';
import { freePort, startTestStack, type TestStack } from './support/stack.ts';

const HELLO = join(import.meta.dirname, '../../examples/hello-world');
const FAILING = join(import.meta.dirname, 'fixtures/failing');

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.stack.stop();
});

function mainEvents(events: StratusEvent[]) {
  return events.filter((e) => e.type === 'cloudify_event' && e.event_type !== 'workflow_node_event');
}

/** sending_task < task_started < task_succeeded|failed for every task, inside workflow start/end. */
function expectLifecycleOrder(events: StratusEvent[], end: 'workflow_succeeded' | 'workflow_failed') {
  const main = mainEvents(events);
  expect(main[0]?.event_type).toBe('workflow_started');
  expect(main.at(-1)?.event_type).toBe(end);
  const byOp = new Map<string, string[]>();
  for (const e of main.slice(1, -1)) {
    const k = `${e.node_instance_id}/${e.operation}`;
    byOp.set(k, [...(byOp.get(k) ?? []), e.event_type ?? '']);
  }
  expect(byOp.size).toBeGreaterThan(0);
  for (const [op, types] of byOp) {
    expect({ op, types: types.slice(0, 2) }).toEqual({ op, types: ['sending_task', 'task_started'] });
    expect(['task_succeeded', 'task_failed']).toContain(types[2]);
  }
}

describe('hello-world on the local stack', () => {
  let port: number;
  let installId: string;

  it('installs: every instance started, runtime properties from the scripts, the page served', async () => {
    port = await freePort();
    await t.client.uploadBlueprint('hello', await packDirectory(HELLO));
    await t.client.createDeployment('hello', 'hello', { webserver_port: port });
    const exec = await t.client.startExecution('hello', 'install');
    installId = exec.id;
    const done = await t.client.waitForExecution(exec.id, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'terminated', error: '' });

    const instances = await t.client.nodeInstances('hello');
    expect(instances.map((i) => [i.node_id, i.state]).sort()).toEqual([
      ['http_web_server', 'started'],
      ['vm', 'started'],
    ]);
    const web = instances.find((i) => i.node_id === 'http_web_server')!;
    expect(web.id).toMatch(/^http_web_server_[a-z0-9]{6}$/);
    expect(web.runtime_properties).toMatchObject({ url: `http://127.0.0.1:${port}/` });
    expect(String(web.runtime_properties.root_dir)).toContain('stratus-hello-');

    // start.sh really started a server that serves what configure.sh wrote
    let body = '';
    for (let i = 0; i < 200 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`)
        .then((r) => r.text())
        .catch(() => new Promise<string>((r) => setTimeout(() => r(''), 100)));
    }
    expect(body).toContain('Hello from Stratus');
  });

  it('reports events in lifecycle order, with the scripts logs', async () => {
    const events = (await t.client.events(installId)).items;
    expectLifecycleOrder(events, 'workflow_succeeded');
    const ops = mainEvents(events)
      .filter((e) => e.event_type === 'sending_task')
      .map((e) => e.operation);
    expect(ops).toEqual([
      'cloudify.interfaces.lifecycle.create',
      'cloudify.interfaces.lifecycle.configure',
      'cloudify.interfaces.lifecycle.start',
    ]);
    expect(events.some((e) => e.type === 'cloudify_log' && e.message.startsWith('Created web root'))).toBe(
      true,
    );
  });

  it('uninstalls: instances deleted, the server stopped', async () => {
    const exec = await t.client.startExecution('hello', 'uninstall');
    const done = await t.client.waitForExecution(exec.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('terminated');
    const instances = await t.client.nodeInstances('hello');
    expect(instances.map((i) => i.state)).toEqual(['deleted', 'deleted']);
    const web = instances.find((i) => i.node_id === 'http_web_server')!;
    expect(web.runtime_properties.deleted).toBe(true);
    const refused = await fetch(`http://127.0.0.1:${port}/`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  });
});

describe('a failing script', () => {
  it('fails the execution with the script error, after no retries', async () => {
    await t.client.uploadBlueprint('failing', await packDirectory(FAILING));
    await t.client.createDeployment('failing', 'failing');
    const exec = await t.client.startExecution('failing', 'install');
    const done = await t.client.waitForExecution(exec.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('failed');
    expect(done.error).toContain('disk full on /var/lib/app');

    const events = (await t.client.events(exec.id)).items;
    expectLifecycleOrder(events, 'workflow_failed');
    const failed = events.filter((e) => e.event_type === 'task_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.operation).toBe('cloudify.interfaces.lifecycle.create');
    expect(events.some((e) => e.event_type === 'task_rescheduled')).toBe(false);

    const ops = await t.client.operations(exec.id);
    const create = ops.find((o) => o.name === 'cloudify.interfaces.lifecycle.create');
    expect(create?.state).toBe('failed');
    // nothing after the failed task ran: the instance stays where create left it
    const app = (await t.client.nodeInstances('failing')).find((i) => i.node_id === 'app');
    expect(app?.state).toBe('creating');
    expect(ops.filter((o) => o.state === 'pending').length).toBeGreaterThan(0);
  });
});
