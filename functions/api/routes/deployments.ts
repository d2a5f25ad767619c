import { Hono } from 'hono';
import { z } from 'zod';
import type { JsonObject } from '../../../core/model.ts';
import * as deployments from '../../../core/services/deployments.ts';
import type { ServiceDeps } from '../../../core/services/deps.ts';
import { LIST_QUERY, listOptions, parseInclude, pick, respondList } from '../listing.ts';
import { ignored, jsonObject, parseWith, queryBool, readJsonObject, readQuery } from '../validation.ts';
import { DEPLOYMENT_FIELDS, deploymentView } from '../views.ts';

const CREATE_BODY = z
  .object({
    blueprint_id: z.string().min(1),
    inputs: jsonObject.nullish(),
    visibility: ignored(),
    labels: ignored(),
    site_name: ignored(),
    display_name: ignored(),
    skip_plugins_validation: ignored(),
    runtime_only_evaluation: ignored(),
    async_upload: ignored(),
    async_create: ignored(),
  })
  .strict();

export function deploymentRoutes(deps: ServiceDeps): Hono {
  const r = new Hono();

  r.put('/:id', async (c) => {
    const body = parseWith(CREATE_BODY, await readJsonObject(c));
    const dep = await deployments.createDeployment(deps, c.req.param('id'), {
      blueprint_id: body.blueprint_id,
      inputs: (body.inputs ?? {}) as JsonObject,
    });
    return c.json(deploymentView(dep), 201);
  });

  r.get('/:id/outputs', async (c) => {
    readQuery(c, {});
    return c.json(await deployments.getDeploymentOutputs(deps, c.req.param('id')));
  });

  r.get('/:id', async (c) => {
    const q = readQuery(c, { _include: 'one', all_sub_deployments: 'one' });
    const include = parseInclude(q._include?.[0], DEPLOYMENT_FIELDS);
    const dep = await deployments.getDeployment(deps, c.req.param('id'));
    return c.json(pick(deploymentView(dep), include));
  });

  r.get('/', async (c) => {
    const q = readQuery(c, { ...LIST_QUERY, id: 'one', blueprint_id: 'one' });
    const opts = listOptions(q, DEPLOYMENT_FIELDS, 'created_at');
    const id = q.id?.[0];
    const blueprintId = q.blueprint_id?.[0];
    const items = (
      await deployments.listDeployments(deps, blueprintId ? { blueprint_id: blueprintId } : {})
    ).filter((d) => id === undefined || d.id === id);
    return respondList(c, items.map(deploymentView), opts);
  });

  r.delete('/:id', async (c) => {
    // delete_logs / recursive come from Cloudify's client; events stay with their executions here.
    const q = readQuery(c, { force: 'one', delete_logs: 'one', recursive: 'one', delete_db_mode: 'one' });
    await deployments.deleteDeployment(deps, c.req.param('id'), { force: queryBool(q, 'force', false) });
    return c.body(null, 204);
  });

  return r;
}
