/** Blueprint-defined workflows and the central executor, end to end on the local stack. */
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
  const ops = await t.client.operations(up.id);
  expect(ops.find((o) => o.name === 'cloudify.interfaces.lifecycle.create')?.target).toBe('central');

  const down = await t.client.waitForExecution((await t.client.startExecution('custom', 'tear_down')).id);
  expect(down.status).toBe('terminated');
  expect((await t.client.nodeInstances('custom'))[0]?.state).toBe('deleted');
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
