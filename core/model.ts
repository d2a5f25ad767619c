/**
 * Domain records shared by every part of Stratus. Field names follow Cloudify's REST v3.1 shapes
 * (snake_case) so that stored records are served as they are and existing clients keep working.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------- blueprint plan (output of the DSL parser, input of deployment planning) ----------

export type Executor = 'central_deployment_agent' | 'host_agent' | 'auto';

/** One operation after type merging. `inputs` may still hold intrinsic functions. */
export interface OperationSpec {
  /** Script path inside the blueprint archive (e.g. `scripts/create.sh`); '' when the op is a no-op. */
  implementation: string;
  inputs: JsonObject;
  executor: Executor;
  /** null: use the execution's default (`task_retries`). */
  max_retries: number | null;
  /** seconds; null: use the execution's default (`task_retry_interval`). */
  retry_interval: number | null;
  /** seconds; null: no timeout. */
  timeout: number | null;
}

/** Operations keyed by their full name (`cloudify.interfaces.lifecycle.create`) and short name (`create`). */
export type Operations = Record<string, OperationSpec>;

export interface InputSpec {
  type?: 'string' | 'integer' | 'float' | 'boolean' | 'list' | 'dict' | string;
  description?: string;
  default?: Json;
  required?: boolean;
  constraints?: JsonObject[];
}

export interface PlanRelationship {
  type: string;
  type_hierarchy: string[];
  target_id: string;
  properties: JsonObject;
  source_operations: Operations;
  target_operations: Operations;
  /** for connected_to: how instances are wired; default all_to_all */
  connection_type?: 'all_to_all' | 'all_to_one';
}

/**
 * Instance counts of a node. Each is a literal, or a `{get_input: ...}` call that deployment creation
 * evaluates (and then checks: integers, default within [min, max]). max_instances -1: unbounded.
 */
export interface ScalableProperties {
  default_instances: number | JsonObject;
  min_instances: number | JsonObject;
  max_instances: number | JsonObject;
}

export interface PlanNode {
  id: string;
  type: string;
  /** root first: ['cloudify.nodes.Root', 'cloudify.nodes.SoftwareComponent', 'cloudify.nodes.WebServer', 'my.Type'] */
  type_hierarchy: string[];
  properties: JsonObject;
  operations: Operations;
  relationships: PlanRelationship[];
  /** id of the node (this one or an ancestor along contained_in) that is a cloudify.nodes.Compute; undefined if none */
  host_id?: string;
  capabilities: {
    scalable: { properties: ScalableProperties };
  };
}

export interface WorkflowSpec {
  /** `cloudify.plugins.workflows.install` style mapping, or a built-in name */
  operation: string;
  parameters: Record<string, InputSpec>;
}

export interface BlueprintPlan {
  tosca_definitions_version: string;
  description?: string;
  inputs: Record<string, InputSpec>;
  nodes: PlanNode[];
  outputs: Record<string, { description?: string; value: Json }>;
  workflows: Record<string, WorkflowSpec>;
}

// ---------- stored records ----------

export interface Blueprint {
  id: string;
  main_file_name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  /** `uploading` while its files are written: the id is claimed first, so racing uploads never mix */
  state: 'uploading' | 'uploaded';
  tenant_name: 'default_tenant';
  visibility: 'tenant';
  /** plan of the blueprint (Cloudify exposes it as `plan`) */
  plan: BlueprintPlan;
}

export interface Deployment {
  id: string;
  blueprint_id: string;
  inputs: JsonObject;
  created_at: string;
  updated_at: string;
  description: string | null;
  /** `operation` is the workflow's mapping (`cloudify.plugins.workflows.install`), as Cloudify records it */
  workflows: { name: string; operation: string; parameters: Record<string, InputSpec> }[];
  outputs: BlueprintPlan['outputs'];
  tenant_name: 'default_tenant';
  visibility: 'tenant';
  /** id of the execution currently holding the deployment (one active execution per deployment) */
  active_execution_id?: string | null;
}

/** A node of a deployment: the plan node with static intrinsic functions resolved. */
export interface DeploymentNode extends Omit<PlanNode, 'capabilities'> {
  deployment_id: string;
  blueprint_id: string;
  number_of_instances: number;
  deploy_number_of_instances: number;
  planned_number_of_instances: number;
  min_number_of_instances: number;
  max_number_of_instances: number;
}

export type NodeInstanceState =
  | 'uninitialized'
  | 'initializing'
  | 'creating'
  | 'created'
  | 'configuring'
  | 'configured'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'deleting'
  | 'deleted';

export interface InstanceRelationship {
  target_id: string;
  target_name: string;
  type: string;
}

export interface NodeInstance {
  id: string;
  node_id: string;
  deployment_id: string;
  host_id: string | null;
  state: NodeInstanceState;
  runtime_properties: JsonObject;
  relationships: InstanceRelationship[];
  index: number;
  /** increments on every change; PATCH must name the version it read (optimistic locking, as Cloudify) */
  version: number;
  scaling_groups: { name: string; id: string }[];
}

export const EXECUTION_STATUSES = [
  'pending',
  'started',
  'cancelling',
  'force_cancelling',
  'kill_cancelling',
  'cancelled',
  'terminated',
  'failed',
  'queued',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['cancelled', 'terminated', 'failed'];

export interface Execution {
  id: string;
  deployment_id: string;
  blueprint_id: string;
  workflow_id: string;
  parameters: JsonObject;
  status: ExecutionStatus;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string;
  is_dry_run: boolean;
  allow_custom_parameters: boolean;
  created_by: string;
  tenant_name: 'default_tenant';
  visibility: 'tenant';
  /** number of tasks in the expanded graph; 0 until dispatched */
  total_operations: number;
  finished_operations: number;
}

export const TASK_STATES = [
  'pending',
  'sending',
  'sent',
  'started',
  'rescheduled',
  'succeeded',
  'failed',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * Kinds of graph tasks. `operation` goes to a queue and runs on an agent or the central executor;
 * `local` runs inside the engine when released (Cloudify's LocalWorkflowTask: set_state, send_event,
 * and joins that only order other tasks).
 */
export type TaskKind = 'operation' | 'local';

export type LocalAction =
  | { type: 'set_state'; state: NodeInstanceState }
  | { type: 'event'; message: string };

/** A task as the workflow builds it (pure data, no I/O). */
export interface GraphTask {
  /** unique within the execution, deterministic for a given workflow input */
  id: string;
  kind: TaskKind;
  /** operation name (`cloudify.interfaces.lifecycle.create`), or `set_state`, `send_event`, `join` */
  name: string;
  node_instance_id: string | null;
  dependencies: string[];
  /** id of the subgraph (e.g. one node instance's install) this task belongs to; null when none */
  subgraph: string | null;
  /** operation tasks: what to run */
  operation?: {
    spec: OperationSpec;
    /** queue target: `central` or `agent-<name>` */
    target: string;
    /** relationship operations: both ends and which side's operation this is */
    relationship?: { type: string; source_id: string; target_id: string; side: 'source' | 'target' };
    /** extra kwargs given by the workflow (execute_operation's operation_kwargs), merged over spec.inputs */
    kwargs?: JsonObject;
  };
  /** local tasks: what to do, in order (empty for a join) */
  actions?: LocalAction[];
}

export interface TaskGraph {
  /** in a topological order: every task comes after all of its dependencies */
  tasks: GraphTask[];
}

/** A task as stored and served by `GET /operations`. */
export interface Task extends GraphTask {
  execution_id: string;
  state: TaskState;
  /** 0 on the first run; incremented by each retry */
  attempt: number;
  /** place in the graph's topological order: a dependent always has a larger one */
  order: number;
  max_retries: number;
  retry_interval: number;
  /** dependents, so that a finished task can release them without a scan */
  dependents: string[];
  /** ids of finished dependencies (string set in DynamoDB) */
  done_dependencies: string[];
  error: string | null;
  result: Json | null;
  updated_at: string;
}

export const EVENT_TYPES = [
  'workflow_started',
  'workflow_succeeded',
  'workflow_failed',
  'workflow_cancelled',
  'workflow_node_event',
  'sending_task',
  'task_started',
  'task_succeeded',
  'task_rescheduled',
  'task_failed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Cloudify event/log shape, flattened the way `GET /events` serves it. */
export interface StratusEvent {
  /** deterministic id: a handler that runs twice writes the same event once */
  id: string;
  execution_id: string;
  type: 'cloudify_event' | 'cloudify_log';
  event_type: EventType | null;
  level: 'debug' | 'info' | 'warning' | 'error' | null;
  message: string;
  timestamp: string;
  reported_timestamp: string;
  deployment_id: string;
  workflow_id: string;
  node_instance_id: string | null;
  node_name: string | null;
  operation: string | null;
  error_causes: { message: string; type: string; traceback?: string }[] | null;
}

/** Every built graph has exactly one sink: a join that depends (through joins) on every other task. */
export const END_TASK_ID = '__end__';
/** Largest number of dependencies or dependents a built graph gives one task (joins are inserted beyond). */
export const MAX_FAN = 32;
