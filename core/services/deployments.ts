/** Deployment creation (planning the node instances from the blueprint plan), reads and removal. */
import { planDeployment } from '../deployment/index.ts';
import { evaluateOutputs } from '../dsl/index.ts';
import { BadRequestError, ConflictError, NotFoundError, StratusError } from '../errors.ts';
import type { BlueprintPlan, Deployment, Json, JsonObject, NodeInstance } from '../model.ts';
import { newId, nowIso, type ServiceDeps } from './deps.ts';
import { checkResourceId } from './ids.ts';

export async function createDeployment(
  deps: ServiceDeps,
  id: string,
  req: { blueprint_id: string; inputs: JsonObject },
): Promise<Deployment> {
  checkResourceId('deployment', id);
  const blueprint = await deps.store.getBlueprint(req.blueprint_id);
  if (!blueprint) throw new NotFoundError('Blueprint', req.blueprint_id);
  if (blueprint.state !== 'uploaded') {
    throw new BadRequestError(
      `Blueprint \`${blueprint.id}\` is still ${blueprint.state}: create the deployment once its upload has finished`,
      'invalid_blueprint_error',
    );
  }
  if (await deps.store.getDeployment(id)) throw deploymentExists(id);

  const planned = await planDeployment({
    blueprintId: blueprint.id,
    deploymentId: id,
    plan: blueprint.plan,
    inputs: req.inputs,
  });
  const deployment = deploymentRecord(id, blueprint.id, blueprint.plan, planned.inputs, nowIso(deps));
  try {
    await deps.store.createDeployment(deployment, planned.nodes, planned.instances);
  } catch (err) {
    if (err instanceof StratusError && err.status === 409) throw deploymentExists(id);
    throw err;
  }
  return deployment;
}

function deploymentExists(id: string): ConflictError {
  return new ConflictError(`Deployment with ID \`${id}\` already exists`);
}

export async function getDeployment(deps: ServiceDeps, id: string): Promise<Deployment> {
  const dep = await deps.store.getDeployment(id);
  if (!dep) throw new NotFoundError('Deployment', id);
  return dep;
}

export async function listDeployments(
  deps: ServiceDeps,
  filter: { blueprint_id?: string } = {},
): Promise<Deployment[]> {
  return deps.store.listDeployments(filter);
}

/**
 * As Cloudify: never while an execution runs or waits in the queue; with live node instances
 * (neither uninitialized nor deleted) only when `force` is set.
 */
export async function deleteDeployment(
  deps: ServiceDeps,
  id: string,
  opts: { force: boolean },
): Promise<void> {
  await getDeployment(deps, id);
  // the deployment is taken like an execution takes it, so no execution can start while it is checked
  // and deleted; one started just before shows up in the checks below
  const holder = `delete:${newId(deps)}`;
  if (!(await deps.store.acquireDeployment(id, holder))) throw await busy(deps, id);
  try {
    // holding the deployment, no execution runs; the ones waiting are in its queue
    const waiting: string[] = [];
    for (const e of await deps.store.queuedExecutionIds(id)) {
      if ((await deps.store.getExecution(e))?.status === 'queued') waiting.push(e);
    }
    if (waiting.length > 0) throw await busy(deps, id, waiting);
    if (!opts.force) {
      const live = (await deps.store.listNodeInstances(id)).filter(
        (ni) => ni.state !== 'uninitialized' && ni.state !== 'deleted',
      );
      if (live.length > 0) {
        throw new BadRequestError(
          `Can't delete deployment \`${id}\`: it has live node instances (${live
            .map((ni) => `${ni.id}: ${ni.state}`)
            .join(', ')}); run uninstall first or delete with force=true`,
          'dependent_exists_error',
        );
      }
    }
  } catch (err) {
    await deps.store.releaseDeployment(id, holder);
    throw err;
  }
  // an execution queued while the deletion held the deployment can never run now: say so
  const queued = await deps.store.queuedExecutionIds(id);
  await deps.store.deleteDeployment(id);
  for (const executionId of queued) {
    await deps.store.updateExecution(executionId, ['queued'], {
      status: 'cancelled',
      error: `deployment \`${id}\` was deleted`,
      ended_at: nowIso(deps),
    });
  }
}

async function busy(deps: ServiceDeps, id: string, known: string[] = []): Promise<BadRequestError> {
  const current = (await deps.store.getDeployment(id))?.active_execution_id;
  const ids = new Set(known);
  if (current && !current.startsWith('delete:')) ids.add(current);
  return new BadRequestError(
    `Can't delete deployment \`${id}\`: there are running or queued executions for this deployment` +
      (ids.size ? `; execution ids: ${[...ids].join(', ')}` : ' (or it is being deleted)'),
    'dependent_exists_error',
  );
}

/** The record of a new deployment of `plan`, with its inputs already checked and completed. */
export function deploymentRecord(
  id: string,
  blueprintId: string,
  plan: BlueprintPlan,
  inputs: JsonObject,
  now: string,
): Deployment {
  return {
    id,
    blueprint_id: blueprintId,
    inputs,
    created_at: now,
    updated_at: now,
    description: plan.description ?? null,
    workflows: Object.entries(plan.workflows).map(([name, wf]) => ({
      name,
      operation: wf.operation,
      parameters: wf.parameters,
    })),
    outputs: plan.outputs,
    tenant_name: 'default_tenant',
    visibility: 'tenant',
    active_execution_id: null,
  };
}

/** Outputs are evaluated on read: get_attribute sees the runtime properties of now. */
export async function getDeploymentOutputs(
  deps: ServiceDeps,
  id: string,
): Promise<{ deployment_id: string; outputs: Record<string, Json> }> {
  const deployment = await getDeployment(deps, id);
  const [nodes, instances] = await Promise.all([deps.store.listNodes(id), deps.store.listNodeInstances(id)]);
  const byNode = new Map(nodes.map((n) => [n.id, { node: n, instances: [] as NodeInstance[] }]));
  for (const ni of instances) byNode.get(ni.node_id)?.instances.push(ni);
  const outputs = evaluateOutputs(deployment.outputs, {
    lookup: (name) => byNode.get(name),
    inputs: deployment.inputs,
  });
  return { deployment_id: id, outputs };
}
