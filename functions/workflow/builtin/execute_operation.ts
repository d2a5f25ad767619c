/**
 * Cloudify's `execute_operation`, and `start`, `stop`, `restart` built on it: one operation on each
 * selected node instance, in parallel or by relationship order.
 */
import type { JsonObject } from '../../../core/model.ts';
import type { WorkflowContext, WorkflowNodeInstance } from '../context.ts';
import type { Subgraph } from '../graph.ts';
import { BUILTIN_WORKFLOW_SCHEMAS, filterInstances, Parameters } from './parameters.ts';

interface RunOperation {
  operation: string;
  kwargs: JsonObject;
  allowKwargsOverride: boolean | null;
  runByDependencyOrder: boolean;
  /** stop goes from dependents to what they depend on */
  reverseOrder: boolean;
  instances: WorkflowNodeInstance[];
  /** where to put the per-instance subgraphs; the graph when absent */
  container?: Subgraph;
}

export function executeOperation(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.execute_operation?.parameters ?? {});
  const operation = params.string('operation');
  const instances = filterInstances(ctx, params);
  if (instances.length > 0 && !instances.some((i) => i.node.hasOperation(operation))) {
    const nodes = [...new Set(instances.map((i) => i.node.id))].join(', ');
    throw ctx.error(
      `parameter operation: no selected node declares operation ${operation} (nodes: ${nodes})`,
    );
  }
  runOperation(ctx, {
    operation,
    kwargs: params.dict('operation_kwargs'),
    allowKwargsOverride: params.optionalBoolean('allow_kwargs_override'),
    runByDependencyOrder: params.boolean('run_by_dependency_order'),
    reverseOrder: false,
    instances,
  });
}

export function start(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.start?.parameters ?? {});
  runLifecycleOperation(ctx, params, 'start', params.dict('operation_parms'));
}

export function stop(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.stop?.parameters ?? {});
  runLifecycleOperation(ctx, params, 'stop', params.dict('operation_parms'));
}

/** stop on every selected instance, then start (Cloudify runs the two graphs one after the other). */
export function restart(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.restart?.parameters ?? {});
  const stopPhase = ctx.graph.subgraph('restart.stop');
  const startPhase = ctx.graph.subgraph('restart.start');
  runLifecycleOperation(ctx, params, 'stop', params.dict('stop_parms'), stopPhase);
  runLifecycleOperation(ctx, params, 'start', params.dict('start_parms'), startPhase);
  ctx.graph.dependsOn(startPhase, stopPhase);
}

function runLifecycleOperation(
  ctx: WorkflowContext,
  params: Parameters,
  name: 'start' | 'stop',
  kwargs: JsonObject,
  container?: Subgraph,
): void {
  runOperation(ctx, {
    operation: `cloudify.interfaces.lifecycle.${name}`,
    kwargs,
    allowKwargsOverride: true,
    runByDependencyOrder: params.boolean('run_by_dependency_order'),
    // Cloudify orders stop like start; stopping what others depend on first breaks them, so reverse it
    reverseOrder: name === 'stop',
    instances: filterInstances(ctx, params),
    ...(container ? { container } : {}),
  });
}

function runOperation(ctx: WorkflowContext, run: RunOperation): void {
  const parent = run.container ?? ctx.graph.root;
  const subgraphs = new Map<string, Subgraph>();
  const prefix = parent === ctx.graph.root ? '' : `${parent.id}.`;
  let startMessage = `Starting operation ${run.operation}`;
  if (Object.keys(run.kwargs).length > 0)
    startMessage += ` (Operation parameters: ${JSON.stringify(run.kwargs)})`;
  for (const inst of run.instances) {
    const task = inst.executeOperation(run.operation, {
      kwargs: run.kwargs,
      allowKwargsOverride: run.allowKwargsOverride,
    });
    const sub = parent.subgraph(`${prefix}${inst.id}`);
    sub.sequence(inst.sendEvent(startMessage), task, inst.sendEvent(`Finished operation ${run.operation}`));
    subgraphs.set(inst.id, sub);
  }
  if (!run.runByDependencyOrder) return;
  // Instances left out still order the others (A -> B -> C with B not selected): empty stand-ins keep
  // the number of edges linear in the number of relationships.
  for (const inst of ctx.instances) {
    if (!subgraphs.has(inst.id)) subgraphs.set(inst.id, parent.subgraph(`${prefix}${inst.id}`));
  }
  for (const inst of ctx.instances) {
    for (const rel of inst.relationships) {
      const source = subgraphs.get(inst.id) as Subgraph;
      const target = subgraphs.get(rel.target.id) as Subgraph;
      if (run.reverseOrder) ctx.graph.dependsOn(target, source);
      else ctx.graph.dependsOn(source, target);
    }
  }
}
