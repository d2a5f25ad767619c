import { Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../../../core/errors.ts';
import { EXECUTION_STATUSES, type ExecutionStatus, type JsonObject } from '../../../core/model.ts';
import type { ServiceDeps } from '../../../core/services/deps.ts';
import * as executions from '../../../core/services/executions.ts';
import { LIST_QUERY, listOptions, parseInclude, pick, respondList } from '../listing.ts';
import { flag, ignored, jsonObject, nullOnly, parseWith, readJsonObject, readQuery } from '../validation.ts';
import { EXECUTION_FIELDS, executionView } from '../views.ts';

const START_BODY = z
  .object({
    deployment_id: z.string().min(1),
    workflow_id: z.string().min(1),
    parameters: jsonObject.nullish(),
    allow_custom_parameters: flag(false),
    force: flag(false),
    dry_run: flag(false),
    queue: flag(false),
    wait_after_fail: ignored(),
    // Cloudify's client sends these as null; values belong to features Stratus does not have.
    scheduled_time: nullOnly('scheduled executions'),
    force_status: nullOnly('creating executions in a given status'),
    created_by: nullOnly('restoring executions'),
    created_at: nullOnly('restoring executions'),
    started_at: nullOnly('restoring executions'),
    ended_at: nullOnly('restoring executions'),
    id: nullOnly('choosing the execution id'),
    is_system_workflow: nullOnly('system workflows'),
    error: nullOnly('restoring executions'),
  })
  .strict();

const ACTION_BODY = z
  .object({
    action: z.enum(executions.EXECUTION_ACTIONS),
  })
  .strict();

export function executionRoutes(deps: ServiceDeps): Hono {
  const r = new Hono();

  r.post('/', async (c) => {
    const body = parseWith(START_BODY, await readJsonObject(c));
    const exec = await executions.startExecution(deps, {
      deployment_id: body.deployment_id,
      workflow_id: body.workflow_id,
      parameters: (body.parameters ?? {}) as JsonObject,
      allow_custom_parameters: body.allow_custom_parameters,
      force: body.force,
      dry_run: body.dry_run,
      queue: body.queue,
    });
    return c.json(executionView(exec), 201);
  });

  r.get('/:id', async (c) => {
    const q = readQuery(c, { _include: 'one' });
    const include = parseInclude(q._include?.[0], EXECUTION_FIELDS);
    return c.json(pick(executionView(await executions.getExecution(deps, c.req.param('id'))), include));
  });

  r.post('/:id', async (c) => {
    const body = parseWith(ACTION_BODY, await readJsonObject(c));
    return executions.applyExecutionAction(deps, c.req.param('id'), body.action);
  });

  r.get('/', async (c) => {
    const q = readQuery(c, {
      ...LIST_QUERY,
      id: 'one',
      deployment_id: 'one',
      workflow_id: 'one',
      status: 'many',
      include_system_workflows: 'one',
    });
    const opts = listOptions(q, EXECUTION_FIELDS, 'created_at');
    const statuses = (q.status ?? []).flatMap((s) => s.split(','));
    for (const s of statuses) {
      if (!(EXECUTION_STATUSES as readonly string[]).includes(s)) {
        throw new BadRequestError(
          `Unknown execution status \`${s}\`; allowed: ${EXECUTION_STATUSES.join(', ')}`,
        );
      }
    }
    const filter: { deployment_id?: string; status?: ExecutionStatus[] } = {};
    const deploymentId = q.deployment_id?.[0];
    if (deploymentId) filter.deployment_id = deploymentId;
    if (statuses.length > 0) filter.status = statuses as ExecutionStatus[];
    const id = q.id?.[0];
    const workflowId = q.workflow_id?.[0];
    const items = (await executions.listExecutions(deps, filter)).filter(
      (e) => (id === undefined || e.id === id) && (workflowId === undefined || e.workflow_id === workflowId),
    );
    return respondList(c, items.map(executionView), opts);
  });

  return r;
}
