/**
 * WorkflowContext: the deployment seen by a workflow (Cloudify's CloudifyWorkflowContext in graph mode).
 * Nodes, node instances and their relationships resolved to instances, plus factories for graph tasks.
 * Pure: it reads the input it is given and creates task records; it never does I/O.
 */
import { NonRetryableError } from '../../core/errors.ts';
import type {
  Deployment,
  DeploymentNode,
  GraphTask,
  JsonObject,
  NodeInstance,
  NodeInstanceState,
  OperationSpec,
  PlanRelationship,
} from '../../core/model.ts';
import { TaskGraphBuilder } from './graph.ts';

export interface WorkflowInput {
  /** e.g. 'install' */
  workflow_id: string;
  /** validated execution parameters */
  parameters: JsonObject;
  deployment: Deployment;
  nodes: DeploymentNode[];
  instances: NodeInstance[];
  defaults: { task_retries: number; task_retry_interval: number };
}

export const COMPUTE_TYPE = 'cloudify.nodes.Compute';
const LIFECYCLE_PREFIX = 'cloudify.interfaces.lifecycle.';
const RELATIONSHIP_LIFECYCLE_PREFIX = 'cloudify.interfaces.relationship_lifecycle.';

export interface ExecuteOperationOptions {
  /** extra inputs, merged over the operation's inputs by the executor */
  kwargs?: JsonObject;
  /** true: kwargs may replace declared inputs; otherwise a clash is an error (Cloudify's rule) */
  allowKwargsOverride?: boolean | null;
}

export class WorkflowContext {
  readonly graph = new TaskGraphBuilder();
  readonly workflowId: string;
  readonly parameters: JsonObject;
  readonly deployment: Deployment;
  readonly defaults: WorkflowInput['defaults'];
  readonly nodes: WorkflowNode[];
  readonly instances: WorkflowNodeInstance[];
  private readonly nodesById = new Map<string, WorkflowNode>();
  private readonly instancesById = new Map<string, WorkflowNodeInstance>();
  private readonly usedIds = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(input: WorkflowInput) {
    this.workflowId = input.workflow_id;
    this.parameters = input.parameters;
    this.deployment = input.deployment;
    this.defaults = input.defaults;
    this.nodes = input.nodes.map((n) => new WorkflowNode(this, n));
    for (const n of this.nodes) {
      if (this.nodesById.has(n.id)) throw this.error(`duplicate node ${n.id}`);
      this.nodesById.set(n.id, n);
    }
    this.instances = input.instances.map((raw) => {
      const node = this.nodesById.get(raw.node_id);
      if (!node) throw this.error(`node instance ${raw.id} names unknown node ${raw.node_id}`);
      const inst = new WorkflowNodeInstance(this, node, raw);
      node.instances.push(inst);
      return inst;
    });
    for (const i of this.instances) {
      if (this.instancesById.has(i.id)) throw this.error(`duplicate node instance ${i.id}`);
      this.instancesById.set(i.id, i);
    }
    for (const i of this.instances) i.resolveRelationships();
  }

  getNode(id: string): WorkflowNode | undefined {
    return this.nodesById.get(id);
  }

  getInstance(id: string): WorkflowNodeInstance | undefined {
    return this.instancesById.get(id);
  }

  /** A NonRetryableError that names the workflow. */
  error(message: string): NonRetryableError {
    return new NonRetryableError(`Workflow ${this.workflowId}: ${message}`, 'workflow_error');
  }

  /** A task id unique in this graph: `base`, else `base.2`, `base.3`, ... (deterministic). */
  uniqueId(base: string): string {
    let id = base;
    for (let n = 2; this.usedIds.has(id); n++) id = `${base}.${n}`;
    this.usedIds.add(id);
    return id;
  }

  /** `base.1`, `base.2`, ... per base. */
  numberedId(base: string): string {
    let n = this.counters.get(base) ?? 0;
    let id: string;
    do {
      n += 1;
      id = `${base}.${n}`;
    } while (this.usedIds.has(id));
    this.counters.set(base, n);
    this.usedIds.add(id);
    return id;
  }
}

export class WorkflowNode {
  readonly instances: WorkflowNodeInstance[] = [];
  constructor(
    readonly ctx: WorkflowContext,
    readonly raw: DeploymentNode,
  ) {}

  get id(): string {
    return this.raw.id;
  }
  get typeHierarchy(): string[] {
    return this.raw.type_hierarchy;
  }
  get properties(): JsonObject {
    return this.raw.properties;
  }
  /** Declared on the node (possibly as a no-op). */
  hasOperation(name: string): boolean {
    return Object.hasOwn(this.raw.operations, name);
  }
  /** Declared with an implementation (Cloudify skips the others). */
  implements(name: string): boolean {
    return Boolean(this.raw.operations[name]?.implementation);
  }
  isCompute(): boolean {
    return this.raw.type_hierarchy.includes(COMPUTE_TYPE);
  }
}

export class WorkflowNodeInstance {
  relationships: WorkflowRelationship[] = [];
  constructor(
    readonly ctx: WorkflowContext,
    readonly node: WorkflowNode,
    readonly raw: NodeInstance,
  ) {}

  get id(): string {
    return this.raw.id;
  }
  get state(): NodeInstanceState {
    return this.raw.state;
  }
  /** The Compute instance this one runs on (itself for a Compute), null when none. */
  get host(): WorkflowNodeInstance | null {
    return this.raw.host_id ? (this.ctx.getInstance(this.raw.host_id) ?? null) : null;
  }

  /** @internal */
  resolveRelationships(): void {
    this.relationships = this.raw.relationships.map((r) => {
      const target = this.ctx.getInstance(r.target_id);
      if (!target) {
        throw this.ctx.error(
          `node instance ${this.id} has a relationship to unknown node instance ${r.target_id}`,
        );
      }
      const plan =
        this.node.raw.relationships.find((p) => p.target_id === r.target_name && p.type === r.type) ??
        this.node.raw.relationships.find((p) => p.target_id === target.node.id && p.type === r.type);
      if (!plan) {
        throw this.ctx.error(
          `node ${this.node.id} declares no ${r.type} relationship to node ${r.target_name} (node instance ${this.id})`,
        );
      }
      return new WorkflowRelationship(this, target, plan);
    });
  }

  /**
   * An operation task on this instance, or null when the node has no implementation for it (a no-op:
   * Cloudify skips it). Not yet in the graph: put it in a sequence or subgraph.
   */
  executeOperation(name: string, options: ExecuteOperationOptions = {}): GraphTask | null {
    const spec = this.node.raw.operations[name];
    if (!spec?.implementation) return null;
    const kwargs = checkKwargs(this.ctx, name, this.node.id, spec, options);
    return {
      id: this.ctx.uniqueId(`${this.id}.${shortOperationName(name)}`),
      kind: 'operation',
      name,
      node_instance_id: this.id,
      dependencies: [],
      subgraph: null,
      operation: {
        spec,
        target: operationTarget(this, spec, name),
        ...(kwargs ? { kwargs } : {}),
      },
    };
  }

  setState(state: NodeInstanceState): GraphTask {
    return this.local('set_state', this.ctx.uniqueId(`${this.id}.set_state.${state}`), {
      type: 'set_state',
      state,
    });
  }

  sendEvent(message: string): GraphTask {
    return this.local('send_event', this.ctx.numberedId(`${this.id}.send_event`), { type: 'event', message });
  }

  private local(name: string, id: string, action: NonNullable<GraphTask['actions']>[number]): GraphTask {
    return {
      id,
      kind: 'local',
      name,
      node_instance_id: this.id,
      dependencies: [],
      subgraph: null,
      actions: [action],
    };
  }
}

export class WorkflowRelationship {
  constructor(
    readonly source: WorkflowNodeInstance,
    readonly target: WorkflowNodeInstance,
    readonly plan: PlanRelationship,
  ) {}

  get type(): string {
    return this.plan.type;
  }
  get typeHierarchy(): string[] {
    return this.plan.type_hierarchy;
  }
  get properties(): JsonObject {
    return this.plan.properties;
  }

  /** The source side of a relationship operation; runs near the source instance. Null for a no-op. */
  executeSourceOperation(name: string, options: ExecuteOperationOptions = {}): GraphTask | null {
    return this.execute(name, 'source', options);
  }

  /** The target side of a relationship operation; runs near the target instance. Null for a no-op. */
  executeTargetOperation(name: string, options: ExecuteOperationOptions = {}): GraphTask | null {
    return this.execute(name, 'target', options);
  }

  private execute(
    name: string,
    side: 'source' | 'target',
    options: ExecuteOperationOptions,
  ): GraphTask | null {
    const ops = side === 'source' ? this.plan.source_operations : this.plan.target_operations;
    const spec = ops[name];
    if (!spec?.implementation) return null;
    const ctx = this.source.ctx;
    const runsOn = side === 'source' ? this.source : this.target;
    const kwargs = checkKwargs(ctx, name, `${this.source.node.id} -> ${this.target.node.id}`, spec, options);
    return {
      id: ctx.uniqueId(`${this.source.id}.${shortOperationName(name)}.${this.target.id}.${side}`),
      kind: 'operation',
      name,
      node_instance_id: this.source.id,
      dependencies: [],
      subgraph: null,
      operation: {
        spec,
        target: operationTarget(runsOn, spec, name),
        relationship: { type: this.plan.type, source_id: this.source.id, target_id: this.target.id, side },
        ...(kwargs ? { kwargs } : {}),
      },
    };
  }
}

/** `create` for lifecycle operations, `establish` for relationship lifecycle ones, else the full name. */
export function shortOperationName(name: string): string {
  if (name.startsWith(LIFECYCLE_PREFIX)) return name.slice(LIFECYCLE_PREFIX.length);
  if (name.startsWith(RELATIONSHIP_LIFECYCLE_PREFIX)) return name.slice(RELATIONSHIP_LIFECYCLE_PREFIX.length);
  return name;
}

/**
 * Queue target of an operation: `central` or `agent-<name>`. `auto` means the host agent when the
 * instance has a host. The agent name is the host node's `agent_config.name`, else the host instance id.
 */
export function operationTarget(
  instance: WorkflowNodeInstance,
  spec: OperationSpec,
  operation: string,
): string {
  const executor =
    spec.executor === 'auto'
      ? instance.raw.host_id
        ? 'host_agent'
        : 'central_deployment_agent'
      : spec.executor;
  if (executor === 'central_deployment_agent') return 'central';
  if (executor !== 'host_agent') {
    throw instance.ctx.error(
      `operation ${operation} of node ${instance.node.id} has executor ${String(executor)}; allowed: central_deployment_agent, host_agent, auto`,
    );
  }
  const host = instance.host;
  if (!host) {
    throw instance.ctx.error(
      `operation ${operation} of node ${instance.node.id} runs on host_agent but node instance ${instance.id} has no host (it is not contained in a cloudify.nodes.Compute)`,
    );
  }
  const agentConfig = host.node.properties.agent_config;
  const configured =
    agentConfig && typeof agentConfig === 'object' && !Array.isArray(agentConfig)
      ? agentConfig.name
      : undefined;
  const name = typeof configured === 'string' && configured !== '' ? configured : host.id;
  return `agent-${name}`;
}

function checkKwargs(
  ctx: WorkflowContext,
  operation: string,
  where: string,
  spec: OperationSpec,
  options: ExecuteOperationOptions,
): JsonObject | undefined {
  const kwargs = options.kwargs;
  if (!kwargs || Object.keys(kwargs).length === 0) return undefined;
  if (options.allowKwargsOverride !== true) {
    const clash = Object.keys(kwargs).filter((k) => Object.hasOwn(spec.inputs, k));
    if (clash.length > 0) {
      throw ctx.error(
        `operation ${operation} of ${where}: kwargs ${clash.join(', ')} are already operation inputs; set allow_kwargs_override to true to replace them`,
      );
    }
  }
  return kwargs;
}
