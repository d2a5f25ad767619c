/** Response shapes (Cloudify REST v3.1) and the fields each one offers to `_include` and `_sort`. */

import type {
  Blueprint,
  Deployment,
  DeploymentNode,
  Execution,
  NodeInstance,
  StratusEvent,
} from '../../core/model.ts';
import type { OperationView } from '../../core/services/events.ts';
import { PUBLIC_EXECUTION_FIELDS } from '../../core/services/executions.ts';

type View = Record<string, unknown>;

/** Only the named fields: whatever else a stored item carries (keys, internals) stays out. */
function only(item: object, fields: readonly string[]): View {
  const src = item as View;
  const out: View = {};
  for (const f of fields) out[f] = src[f] ?? null;
  return out;
}

export const BLUEPRINT_FIELDS = [
  'id',
  'main_file_name',
  'description',
  'created_at',
  'updated_at',
  'created_by',
  'state',
  'tenant_name',
  'visibility',
  'labels',
  'error',
  'plan',
] as const;

/**
 * The plan without its nodes by default (they can be large); `_include=plan` returns it whole.
 * Inputs, outputs and workflows stay: clients read `plan.inputs` before creating a deployment.
 */
export function blueprintView(bp: Blueprint, include: string[] | null): View {
  const { nodes: _nodes, ...summary } = bp.plan;
  return {
    id: bp.id,
    main_file_name: bp.main_file_name,
    description: bp.description,
    created_at: bp.created_at,
    updated_at: bp.updated_at,
    created_by: 'admin',
    state: bp.state,
    tenant_name: bp.tenant_name,
    visibility: bp.visibility,
    labels: [],
    error: null,
    plan: include?.includes('plan') ? bp.plan : summary,
  };
}

export const DEPLOYMENT_FIELDS = [
  'id',
  'blueprint_id',
  'inputs',
  'created_at',
  'updated_at',
  'created_by',
  'description',
  'workflows',
  'outputs',
  'tenant_name',
  'visibility',
  'labels',
  'active_execution_id',
] as const;

export function deploymentView(d: Deployment): View {
  return {
    id: d.id,
    blueprint_id: d.blueprint_id,
    inputs: d.inputs,
    created_at: d.created_at,
    updated_at: d.updated_at,
    created_by: 'admin',
    description: d.description,
    workflows: d.workflows,
    outputs: d.outputs,
    tenant_name: d.tenant_name,
    visibility: d.visibility,
    labels: [],
    active_execution_id: d.active_execution_id ?? null,
  };
}

/** What an execution view has: the public record plus Cloudify's `status_display`. */
export const EXECUTION_FIELDS = [...PUBLIC_EXECUTION_FIELDS, 'status_display'] as const;

const STATUS_DISPLAY: Partial<Record<Execution['status'], string>> = { terminated: 'completed' };

/** Built from named fields only, so nothing internal (the task token) can leak through. */
export function executionView(e: Execution): View {
  return {
    id: e.id,
    deployment_id: e.deployment_id,
    blueprint_id: e.blueprint_id,
    workflow_id: e.workflow_id,
    parameters: e.parameters,
    status: e.status,
    status_display: STATUS_DISPLAY[e.status] ?? e.status,
    created_at: e.created_at,
    started_at: e.started_at,
    ended_at: e.ended_at,
    error: e.error,
    is_dry_run: e.is_dry_run,
    allow_custom_parameters: e.allow_custom_parameters,
    created_by: e.created_by,
    tenant_name: e.tenant_name,
    visibility: e.visibility,
    total_operations: e.total_operations,
    finished_operations: e.finished_operations,
  };
}

export const NODE_FIELDS = [
  'id',
  'deployment_id',
  'blueprint_id',
  'type',
  'type_hierarchy',
  'properties',
  'operations',
  'relationships',
  'host_id',
  'number_of_instances',
  'deploy_number_of_instances',
  'planned_number_of_instances',
  'min_number_of_instances',
  'max_number_of_instances',
  'tenant_name',
  'visibility',
] as const;

export function nodeView(n: DeploymentNode): View {
  return only({ ...n, tenant_name: 'default_tenant', visibility: 'tenant' }, NODE_FIELDS);
}

export const NODE_INSTANCE_FIELDS = [
  'id',
  'node_id',
  'deployment_id',
  'host_id',
  'state',
  'runtime_properties',
  'relationships',
  'index',
  'version',
  'scaling_groups',
  'tenant_name',
  'visibility',
] as const;

export function nodeInstanceView(ni: NodeInstance): View {
  return only({ ...ni, tenant_name: 'default_tenant', visibility: 'tenant' }, NODE_INSTANCE_FIELDS);
}

export const EVENT_FIELDS = [
  'id',
  'execution_id',
  'type',
  'event_type',
  'level',
  'message',
  'timestamp',
  'reported_timestamp',
  'deployment_id',
  'workflow_id',
  'node_instance_id',
  'node_name',
  'operation',
  'error_causes',
] as const;

export function eventView(e: StratusEvent): View {
  return only(e, EVENT_FIELDS);
}

export const OPERATION_FIELDS = [
  'id',
  'execution_id',
  'name',
  'type',
  'state',
  'node_instance_id',
  'dependencies',
  'subgraph',
  'target',
  'retries',
  'max_retries',
  'retry_interval',
  'error',
  'updated_at',
] as const;

export function operationView(o: OperationView): View {
  return only(o, OPERATION_FIELDS);
}
