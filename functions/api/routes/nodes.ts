import { Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../../../core/errors.ts';
import type { JsonObject, NodeInstanceState } from '../../../core/model.ts';
import type { ServiceDeps } from '../../../core/services/deps.ts';
import * as nodeInstances from '../../../core/services/node-instances.ts';
import { LIST_QUERY, listOptions, parseInclude, pick, respondList } from '../listing.ts';
import { flag, jsonObject, parseWith, queryBool, readJsonObject, readQuery } from '../validation.ts';
import { NODE_FIELDS, NODE_INSTANCE_FIELDS, nodeInstanceView, nodeView } from '../views.ts';

const NODE_INSTANCE_STATES = [
  'uninitialized',
  'initializing',
  'creating',
  'created',
  'configuring',
  'configured',
  'starting',
  'started',
  'stopping',
  'stopped',
  'deleting',
  'deleted',
] as const satisfies readonly NodeInstanceState[];

const PATCH_BODY = z
  .object({
    version: z.number().int().min(0),
    runtime_properties: jsonObject.optional(),
    state: z.enum(NODE_INSTANCE_STATES).optional(),
    force: flag(false),
  })
  .strict();

function requiredDeploymentId(q: Record<string, string[]>): string {
  const id = q.deployment_id?.[0];
  if (!id) throw new BadRequestError('Query parameter `deployment_id` is required');
  return id;
}

export function nodeRoutes(deps: ServiceDeps): Hono {
  const r = new Hono();

  r.get('/nodes', async (c) => {
    const q = readQuery(c, { ...LIST_QUERY, deployment_id: 'one', id: 'one' });
    const opts = listOptions(q, NODE_FIELDS, 'id');
    const id = q.id?.[0];
    const items = (await nodeInstances.listNodes(deps, requiredDeploymentId(q))).filter(
      (n) => id === undefined || n.id === id,
    );
    return respondList(c, items.map(nodeView), opts);
  });

  r.get('/node-instances', async (c) => {
    const q = readQuery(c, { ...LIST_QUERY, deployment_id: 'one', node_id: 'one', id: 'one', state: 'one' });
    const opts = listOptions(q, NODE_INSTANCE_FIELDS, 'id');
    const [id, nodeId, state] = [q.id?.[0], q.node_id?.[0], q.state?.[0]];
    const items = (await nodeInstances.listNodeInstances(deps, requiredDeploymentId(q))).filter(
      (ni) =>
        (id === undefined || ni.id === id) &&
        (nodeId === undefined || ni.node_id === nodeId) &&
        (state === undefined || ni.state === state),
    );
    return respondList(c, items.map(nodeInstanceView), opts);
  });

  r.get('/node-instances/:id', async (c) => {
    // Cloudify's client always sends _evaluate_functions; runtime properties hold no functions here
    const q = readQuery(c, { _include: 'one', _evaluate_functions: 'one' });
    const include = parseInclude(q._include?.[0], NODE_INSTANCE_FIELDS);
    return c.json(
      pick(nodeInstanceView(await nodeInstances.getNodeInstance(deps, c.req.param('id'))), include),
    );
  });

  r.patch('/node-instances/:id', async (c) => {
    // Cloudify's client sends `force` in the query string; a body field is accepted too
    const q = readQuery(c, { force: 'one' });
    const body = parseWith(PATCH_BODY, await readJsonObject(c));
    const patch: nodeInstances.NodeInstancePatch = {
      version: body.version,
      force: Boolean(body.force) || queryBool(q, 'force', false),
    };
    if (body.runtime_properties !== undefined)
      patch.runtime_properties = body.runtime_properties as JsonObject;
    if (body.state !== undefined) patch.state = body.state;
    const updated = await nodeInstances.updateNodeInstance(deps, c.req.param('id'), patch);
    return c.json(nodeInstanceView(updated));
  });

  return r;
}
