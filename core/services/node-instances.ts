/** Nodes and node instances of a deployment, and Cloudify's optimistic-locking PATCH. */
import { ConflictError, NotFoundError, StratusError } from '../errors.ts';
import type { DeploymentNode, JsonObject, NodeInstance, NodeInstanceState } from '../model.ts';
import type { ServiceDeps } from './deps.ts';

async function requireDeployment(deps: ServiceDeps, deploymentId: string): Promise<void> {
  if (!(await deps.store.getDeployment(deploymentId))) throw new NotFoundError('Deployment', deploymentId);
}

export async function listNodes(deps: ServiceDeps, deploymentId: string): Promise<DeploymentNode[]> {
  await requireDeployment(deps, deploymentId);
  return deps.store.listNodes(deploymentId);
}

export async function listNodeInstances(deps: ServiceDeps, deploymentId: string): Promise<NodeInstance[]> {
  await requireDeployment(deps, deploymentId);
  return deps.store.listNodeInstances(deploymentId);
}

export async function getNodeInstance(deps: ServiceDeps, id: string): Promise<NodeInstance> {
  const ni = await deps.store.getNodeInstance(id);
  if (!ni) throw new NotFoundError('NodeInstance', id);
  return ni;
}

export interface NodeInstancePatch {
  version: number;
  runtime_properties?: JsonObject;
  state?: NodeInstanceState;
  /** skip the version check (Cloudify's `force`) */
  force?: boolean;
}

/** Applies the change only if `version` is the stored one: 409 `conflict_error` otherwise, as Cloudify. */
export async function updateNodeInstance(
  deps: ServiceDeps,
  id: string,
  patch: NodeInstancePatch,
): Promise<NodeInstance> {
  const current = await getNodeInstance(deps, id);
  const version = patch.force ? current.version : patch.version;
  const changes: { runtime_properties?: JsonObject; state?: NodeInstanceState } = {};
  if (patch.runtime_properties !== undefined) changes.runtime_properties = patch.runtime_properties;
  if (patch.state !== undefined) changes.state = patch.state;
  if (version !== current.version) throw versionConflict(id, current.version, version);
  try {
    return await deps.store.updateNodeInstance(id, version, changes);
  } catch (err) {
    if (!(err instanceof StratusError) || err.status !== 409) throw err;
    const now = await deps.store.getNodeInstance(id);
    throw versionConflict(id, now?.version ?? current.version, version);
  }
}

function versionConflict(id: string, current: number, given: number): ConflictError {
  return new ConflictError(
    `Node instance \`${id}\` update conflict: current version is ${current}, the update names version ${given}; ` +
      'read the node instance again and retry',
  );
}
