/**
 * Starting executions: one active execution per deployment (the store's acquire decides), the
 * others wait in the queue when asked to (`queue: true`) and are started by Finalize in order.
 */
import { BadRequestError, errorMessage, NotFoundError } from '../errors.ts';
import type { Execution, ExecutionStatus, JsonObject } from '../model.ts';
import type { ExecutionInternals } from '../ports.ts';
import { newId, nowIso, type ServiceDeps } from './deps.ts';
import { mergeWorkflowParameters } from './workflow-parameters.ts';

export interface StartExecutionRequest {
  deployment_id: string;
  workflow_id: string;
  parameters: JsonObject;
  allow_custom_parameters: boolean;
  force: boolean;
  dry_run: boolean;
  queue: boolean;
}

/** The record of a new execution: what is not given starts empty (not started, no error, no graph). */
export function executionRecord(
  fields: Pick<Execution, 'id' | 'deployment_id' | 'blueprint_id' | 'workflow_id' | 'created_at'> &
    Partial<Execution>,
): Execution {
  return {
    parameters: {},
    status: 'pending',
    started_at: null,
    ended_at: null,
    error: '',
    is_dry_run: false,
    allow_custom_parameters: false,
    created_by: 'admin',
    tenant_name: 'default_tenant',
    visibility: 'tenant',
    total_operations: 0,
    finished_operations: 0,
    ...fields,
  };
}

export async function startExecution(deps: ServiceDeps, req: StartExecutionRequest): Promise<Execution> {
  const deployment = await deps.store.getDeployment(req.deployment_id);
  if (!deployment) throw new NotFoundError('Deployment', req.deployment_id);
  const workflow = deployment.workflows.find((w) => w.name === req.workflow_id);
  if (!workflow) {
    throw new BadRequestError(
      `Workflow \`${req.workflow_id}\` does not exist in deployment \`${deployment.id}\`; available workflows: ` +
        deployment.workflows.map((w) => w.name).join(', '),
      'nonexistent_workflow_error',
    );
  }
  if (req.force) {
    // Cloudify's force runs next to a running execution; Stratus keeps one execution per deployment.
    throw new BadRequestError(
      'force=true is not supported: a deployment runs one execution at a time; use queue=true to wait for it',
      'bad_parameters_error',
    );
  }
  const parameters = mergeWorkflowParameters(
    req.workflow_id,
    workflow.parameters,
    req.parameters,
    req.allow_custom_parameters,
  );

  const id = newId(deps);
  const execution = executionRecord({
    id,
    deployment_id: deployment.id,
    blueprint_id: deployment.blueprint_id,
    workflow_id: req.workflow_id,
    parameters,
    status: req.queue ? 'queued' : 'pending',
    created_at: nowIso(deps),
    is_dry_run: req.dry_run,
    allow_custom_parameters: req.allow_custom_parameters,
  });

  if (!req.queue) {
    // Acquire first: a refused execution leaves no record behind (as in Cloudify).
    if (!(await deps.store.acquireDeployment(deployment.id, id))) throw await busyError(deps, deployment.id);
    try {
      await deps.store.createExecution(execution);
    } catch (err) {
      await deps.store.releaseDeployment(deployment.id, id);
      throw err;
    }
    await launch(deps, execution);
    return execution;
  }

  // Queued first, then acquire: if the running execution finishes in between, either its Finalize
  // sees this one in the queue or this acquire succeeds, so a queued execution is never forgotten.
  // The queue is on the deployment's record (a consistent read), entered before the record exists:
  // Finalize skips ids without a record yet, and this acquire then finds the deployment free.
  await deps.store.enqueue(deployment.id, id);
  await deps.store.createExecution(execution);
  let acquired: boolean;
  try {
    acquired = await deps.store.acquireDeployment(deployment.id, id);
  } catch (err) {
    // the deployment was deleted meanwhile: this execution can never run
    await deps.store.updateExecution(id, ['queued'], {
      status: 'cancelled',
      error: `deployment \`${deployment.id}\` was deleted`,
      ended_at: nowIso(deps),
    });
    throw err;
  }
  if (!acquired) return execution;
  return (await promoteAndLaunch(deps, execution)) ?? execution;
}

async function busyError(deps: ServiceDeps, deploymentId: string): Promise<BadRequestError> {
  const holder = (await deps.store.getDeployment(deploymentId))?.active_execution_id;
  if (holder?.startsWith('delete:')) {
    return new BadRequestError(
      `The deployment \`${deploymentId}\` is being deleted`,
      'existing_running_execution_error',
    );
  }
  return new BadRequestError(
    `The deployment \`${deploymentId}\` has a running execution${holder ? ` (\`${holder}\`)` : ''}; ` +
      'wait for it to end, cancel it, or start this one with queue=true',
    'existing_running_execution_error',
  );
}

/** queued → pending, then start. null when the execution was no longer queued (someone else took it). */
async function promoteAndLaunch(deps: ServiceDeps, execution: Execution): Promise<Execution | null> {
  const pending = await deps.store.updateExecution(execution.id, ['queued'], { status: 'pending' });
  await deps.store.dequeue(execution.deployment_id, execution.id);
  if (!pending) return null;
  const shown = stripInternals(pending);
  await launch(deps, shown);
  return shown;
}

/** Hands the execution to the orchestrator; if that fails, the execution fails and frees its deployment. */
async function launch(deps: ServiceDeps, execution: Execution): Promise<void> {
  try {
    await deps.orchestrator.start(execution.id);
  } catch (err) {
    await deps.store.updateExecution(execution.id, ['pending'], {
      status: 'failed',
      error: `Could not start the execution: ${errorMessage(err)}`,
      ended_at: nowIso(deps),
    });
    await deps.store.releaseDeployment(execution.deployment_id, execution.id);
    throw err;
  }
}

/**
 * Starts the oldest queued execution of the deployment, if the deployment is free. Finalize calls
 * this after releasing the deployment. Returns the started execution, or null when none started.
 */
export async function startNextQueued(deps: ServiceDeps, deploymentId: string): Promise<Execution | null> {
  const queued: Execution[] = [];
  for (const id of await deps.store.queuedExecutionIds(deploymentId)) {
    const e = await deps.store.getExecution(id);
    if (e?.status === 'queued') queued.push(e);
    else if (e) await deps.store.dequeue(deploymentId, id); // no longer waiting (started, cancelled)
  }
  queued.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  for (const candidate of queued) {
    if (!(await deps.store.acquireDeployment(deploymentId, candidate.id))) return null;
    const started = await promoteAndLaunch(deps, candidate);
    if (started) return started;
    // Taken meanwhile: if it is running it holds the deployment legitimately; otherwise let go.
    const now = await deps.store.getExecution(candidate.id);
    if (now && (now.status === 'pending' || now.status === 'started')) return null;
    await deps.store.releaseDeployment(deploymentId, candidate.id);
  }
  return null;
}

export const PUBLIC_EXECUTION_FIELDS = [
  'id',
  'deployment_id',
  'blueprint_id',
  'workflow_id',
  'parameters',
  'status',
  'created_at',
  'started_at',
  'ended_at',
  'error',
  'is_dry_run',
  'allow_custom_parameters',
  'created_by',
  'tenant_name',
  'visibility',
  'total_operations',
  'finished_operations',
] as const satisfies readonly (keyof Execution)[];

/** The public record only: the engine's internals (the task token above all) never leave the store. */
export function stripInternals(e: Execution & ExecutionInternals): Execution {
  const out: Record<string, unknown> = {};
  for (const f of PUBLIC_EXECUTION_FIELDS) out[f] = e[f];
  return out as unknown as Execution;
}

export async function getExecution(deps: ServiceDeps, id: string): Promise<Execution> {
  const e = await deps.store.getExecution(id);
  if (!e) throw new NotFoundError('Execution', id);
  return stripInternals(e);
}

export async function listExecutions(
  deps: ServiceDeps,
  filter: { deployment_id?: string; status?: ExecutionStatus[] } = {},
): Promise<Execution[]> {
  const items = await deps.store.listExecutions(filter);
  return items.map((e) => stripInternals(e));
}

export const EXECUTION_ACTIONS = ['cancel', 'force-cancel', 'kill', 'resume', 'force-resume'] as const;
export type ExecutionAction = (typeof EXECUTION_ACTIONS)[number];

/** Cancel and resume arrive with a later change to the engine; until then say so plainly. */
export async function applyExecutionAction(
  deps: ServiceDeps,
  id: string,
  action: ExecutionAction,
): Promise<never> {
  await getExecution(deps, id);
  throw new BadRequestError(
    `Execution action \`${action}\` is not implemented yet in Stratus (actions of the API: ` +
      `${EXECUTION_ACTIONS.join(', ')}; none is available yet)`,
    'not_implemented_error',
  );
}
