/**
 * Ports: what the domain needs from the outside world. AWS adapters live in core/aws/;
 * the local stack uses the same adapters pointed at emulators, plus a local Orchestrator
 * that runs the same state machine definition in aws-local-stepfunctions.
 */
import type { ResultMessage, RuntimePatch, TaskMessage } from './messages.ts';
import type {
  Blueprint,
  Deployment,
  DeploymentNode,
  Execution,
  ExecutionStatus,
  NodeInstance,
  NodeInstanceState,
  StratusEvent,
  Task,
  TaskState,
} from './model.ts';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface EventQuery {
  offset: number;
  size: number;
  /** cloudify_event and/or cloudify_log; empty means both */
  types?: ('cloudify_event' | 'cloudify_log')[];
  /** newest first when true */
  descending?: boolean;
  /** only events with `from <= timestamp <= to` (ISO 8601; either may be left out) */
  from?: string;
  to?: string;
}

/** Execution fields the engine keeps out of API responses. */
export interface ExecutionInternals {
  /** Step Functions callback token of the graph wait; never logged, never sent to executors */
  task_token?: string;
  /** the graph has been written completely (expansion is resumable until then) */
  graph_ready?: boolean;
}

/** Who patches: the execution and the task's place in its graph's topological order. */
export interface PatchGuard {
  execution_id: string;
  order: number;
}

export interface Store {
  // blueprints
  /** ConflictError if the id is taken */
  createBlueprint(bp: Blueprint): Promise<void>;
  getBlueprint(id: string): Promise<Blueprint | null>;
  setBlueprintState(id: string, state: Blueprint['state']): Promise<void>;
  listBlueprints(): Promise<Blueprint[]>;
  deleteBlueprint(id: string): Promise<void>;

  // deployments
  /** writes nodes and instances first, the deployment record last (conditional): ConflictError if the id is taken */
  createDeployment(dep: Deployment, nodes: DeploymentNode[], instances: NodeInstance[]): Promise<void>;
  getDeployment(id: string): Promise<Deployment | null>;
  listDeployments(filter?: { blueprint_id?: string }): Promise<Deployment[]>;
  /** removes the deployment with its nodes, instances (not its executions' history) */
  deleteDeployment(id: string): Promise<void>;
  /**
   * Takes the deployment for an execution: succeeds if no other execution holds it.
   * Returns false when another execution holds it (the caller queues or refuses).
   */
  acquireDeployment(deploymentId: string, executionId: string): Promise<boolean>;
  /** releases only if held by this execution; no-op otherwise */
  releaseDeployment(deploymentId: string, executionId: string): Promise<void>;
  /**
   * The deployment's queue, kept on its record (read consistently, unlike an index): ids of the
   * executions waiting for it. Adding or removing an id twice changes nothing.
   */
  enqueue(deploymentId: string, executionId: string): Promise<void>;
  dequeue(deploymentId: string, executionId: string): Promise<void>;
  queuedExecutionIds(deploymentId: string): Promise<string[]>;

  listNodes(deploymentId: string): Promise<DeploymentNode[]>;
  getNode(deploymentId: string, nodeId: string): Promise<DeploymentNode | null>;

  /** consistent values; `nodeId` narrows to one node's instances */
  listNodeInstances(deploymentId: string, nodeId?: string): Promise<NodeInstance[]>;
  getNodeInstance(id: string): Promise<NodeInstance | null>;
  /** sets the state; version +1 */
  setNodeInstanceState(id: string, state: NodeInstanceState): Promise<void>;
  /**
   * Applies top-level key changes; version +1. With a guard, it applies only if no task later in
   * the same execution's order has patched the instance (returns false then, changing nothing).
   */
  patchRuntimeProperties(id: string, patch: RuntimePatch, guard?: PatchGuard): Promise<boolean>;
  /**
   * Replaces runtime properties (and optionally state) if the stored version equals `version`
   * (Cloudify's PATCH /node-instances semantics). ConflictError otherwise.
   */
  updateNodeInstance(
    id: string,
    version: number,
    changes: { runtime_properties?: NodeInstance['runtime_properties']; state?: NodeInstanceState },
  ): Promise<NodeInstance>;

  // executions
  createExecution(exec: Execution): Promise<void>;
  getExecution(id: string): Promise<(Execution & ExecutionInternals) | null>;
  listExecutions(filter?: { deployment_id?: string; status?: ExecutionStatus[] }): Promise<Execution[]>;
  /**
   * Conditional update: applies `changes` only when the current status is one of `from`.
   * Returns the updated execution, or null when the condition failed.
   */
  updateExecution(
    id: string,
    from: readonly ExecutionStatus[],
    changes: Partial<Execution> & ExecutionInternals,
  ): Promise<(Execution & ExecutionInternals) | null>;
  /** unconditional update of counters/flags that never go backwards */
  incrementFinished(id: string, by: number): Promise<void>;

  // tasks (the graph)
  /** idempotent: writing the same task twice leaves one task */
  putTasks(executionId: string, tasks: Task[]): Promise<void>;
  getTask(executionId: string, taskId: string): Promise<Task | null>;
  /** strongly consistent reads of a set of tasks */
  getTasks(executionId: string, taskIds: string[]): Promise<Task[]>;
  listTasks(executionId: string): Promise<Task[]>;
  /**
   * Conditional transition: applies when state is one of `from` (and attempt equals `attempt`
   * when given). Returns the updated task, or null when the condition failed.
   */
  transitionTask(
    executionId: string,
    taskId: string,
    /** `updatedAt`: also require this `updated_at` (re-claiming a task nobody else re-claimed) */
    cond: { from: readonly TaskState[]; attempt?: number; updatedAt?: string },
    changes: Partial<Pick<Task, 'state' | 'attempt' | 'error' | 'result' | 'updated_at'>>,
  ): Promise<Task | null>;
  /** adds a finished dependency to the task's set (idempotent) and returns the task after it */
  addDoneDependency(executionId: string, taskId: string, dependencyId: string): Promise<Task>;

  // events
  /** idempotent by event id */
  putEvents(events: StratusEvent[]): Promise<void>;
  listEvents(executionId: string, q: EventQuery): Promise<Page<StratusEvent>>;
}

/** Sends tasks to their target's queue. Targets: `central` or `agent-<name>`. */
export interface TaskQueues {
  sendTask(target: string, msg: TaskMessage, delaySeconds?: number): Promise<void>;
}

/** Where executors report. */
export interface ResultSink {
  sendResult(msg: ResultMessage): Promise<void>;
}

/** Drives an execution's lifecycle (Step Functions on AWS, aws-local-stepfunctions locally). */
export interface Orchestrator {
  /** idempotent per execution id */
  start(executionId: string): Promise<void>;
  /** the graph finished; ignores a token that is already closed */
  completeGraph(token: string, output: Record<string, unknown>): Promise<void>;
  /** the graph failed or was cancelled; ignores a token that is already closed */
  failGraph(token: string, error: string, cause: string): Promise<void>;
}

/** Blueprint files (S3 on AWS and locally via fauxqs). Keys are `blueprints/<id>/<path>`. */
export interface BlobStore {
  put(key: string, body: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  deletePrefix(prefix: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}
