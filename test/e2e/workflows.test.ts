/** Blueprint-defined workflows and the central executor, end to end on the local stack. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packDirectory } from '../../cli/archive.ts';
import { ApiError } from '../../cli/client.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

const BLUEPRINT = join(import.meta.dirname, 'fixtures/custom-workflow');

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
  await t.client.uploadBlueprint('custom', await packDirectory(BLUEPRINT));
});
afterAll(async () => {
  await t?.stack.stop();
});

it('a workflow named in the blueprint runs the built-in it maps to, on the central executor', async () => {
  await t.client.createDeployment('custom', 'custom', { flavour: 'chocolate' });
  const up = await t.client.waitForExecution((await t.client.startExecution('custom', 'bring_up')).id);
  expect(up.status).toBe('terminated');
  const [app] = await t.client.nodeInstances('custom');
  expect(app).toMatchObject({ state: 'started', runtime_properties: { flavour: 'chocolate' } });
  const logs = (await t.client.events(up.id)).items.filter((e) => e.type === 'cloudify_log');
  expect(logs.map((e) => e.message)).toContain('served chocolate 🍦');
  const ops = await t.client.operations(up.id);
  expect(ops.find((o) => o.name === 'cloudify.interfaces.lifecycle.create')?.target).toBe('central');

  const down = await t.client.waitForExecution((await t.client.startExecution('custom', 'tear_down')).id);
  expect(down.status).toBe('terminated');
  expect((await t.client.nodeInstances('custom'))[0]?.state).toBe('deleted');
});

it('a dry run reports every operation and changes nothing', async () => {
  await t.client.createDeployment('dry', 'custom', { flavour: 'vanilla' });
  const exec = await t.client.request<{ id: string; is_dry_run: boolean }>('POST', '/executions', {
    deployment_id: 'dry',
    workflow_id: 'bring_up',
    dry_run: 'true', // Cloudify's client sends booleans as strings
  });
  expect(exec.is_dry_run).toBe(true);
  const done = await t.client.waitForExecution(exec.id);
  expect(done.status).toBe('terminated');
  const events = (await t.client.events(exec.id)).items;
  expect(events[0]?.message).toContain('(dry run)');
  expect(events.filter((e) => e.event_type !== 'workflow_node_event').map((e) => e.event_type)).toEqual([
    'workflow_started',
    'sending_task',
    'task_started',
    'task_succeeded',
    'workflow_succeeded',
  ]);
  expect(events.some((e) => e.type === 'cloudify_log')).toBe(false);
  const [app] = await t.client.nodeInstances('dry');
  expect(app).toMatchObject({ state: 'uninitialized', runtime_properties: {} });
});

it('a blueprint and deployment deleted and created again under the same ids run the new scripts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-reuse-'));
  const upload = async (value: string) => {
    await mkdir(join(dir, 'scripts'), { recursive: true });
    await writeFile(
      join(dir, 'blueprint.yaml'),
      [
        'tosca_definitions_version: cloudify_dsl_1_4',
        'imports: [cloudify/types/types.yaml]',
        'node_templates:',
        '  app:',
        '    type: cloudify.nodes.ApplicationModule',
        '    interfaces:',
        '      cloudify.interfaces.lifecycle:',
        '        create: { implementation: scripts/create.sh, executor: central_deployment_agent }',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'scripts/create.sh'), `ctx instance runtime-properties version ${value}\n`);
    await t.client.uploadBlueprint('reuse', await packDirectory(dir));
    await t.client.createDeployment('reuse', 'reuse');
    const done = await t.client.waitForExecution((await t.client.startExecution('reuse', 'install')).id);
    expect(done.status).toBe('terminated');
    return (await t.client.nodeInstances('reuse'))[0]?.runtime_properties.version;
  };
  try {
    expect(await upload('one')).toBe('one');
    await t.client.request('DELETE', '/deployments/reuse?force=true');
    await t.client.request('DELETE', '/blueprints/reuse');
    expect(await upload('two')).toBe('two');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses an input outside its valid_values, naming it, and creates nothing', async () => {
  const err = (await t.client
    .createDeployment('bad-flavour', 'custom', { flavour: 'mint' })
    .catch((e) => e)) as ApiError;
  expect(err).toBeInstanceOf(ApiError);
  expect(err.status).toBe(400);
  expect(err.message).toMatch(/flavour/);
  expect(err.message).toMatch(/vanilla/);
  const missing = (await t.client.request('GET', '/deployments/bad-flavour').catch((e) => e)) as ApiError;
  expect(missing.status).toBe(404);
});
