/**
 * Dispatch: the first state of an execution. Expands the workflow into the task graph (once, even if
 * run again), stores the callback token, and releases the roots. Running it again (a Lambda retry,
 * the local stack after a restart) re-walks the graph from its roots: every step is idempotent, and
 * what was already sent is not sent again.
 */

import { builtinOfMapping } from '../../core/dsl/index.ts';
import { NonRetryableError, RetryableError } from '../../core/errors.ts';
import {
  type Execution,
  type GraphTask,
  type JsonObject,
  type Task,
  type TaskGraph,
  TERMINAL_EXECUTION_STATUSES,
} from '../../core/model.ts';
import type { DispatchPayload } from '../../core/state-machine.ts';
import { buildWorkflowGraph } from '../workflow/index.ts';
import type { EngineDeps } from './deps.ts';
import { workflowEvent } from './events.ts';
import { type RedriveOptions, redrive } from './redrive.ts';
import { release } from './release.ts';

function numberParam(params: JsonObject, name: string): number | undefined {
  const v = params[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Each task's dependents: the reverse of the dependency lists, O(tasks + edges). */
function dependentsOf(graph: TaskGraph): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const t of graph.tasks) {
    for (const d of t.dependencies) {
      const list = dependents.get(d);
      if (list) list.push(t.id);
      else dependents.set(d, [t.id]);
    }
  }
  return dependents;
}

/** Graph tasks become stored tasks: dependents computed once here so that release needs no scan. */
export function toTasks(
  graph: TaskGraph,
  exec: Execution,
  deps: Pick<EngineDeps, 'defaults'>,
  now: string,
): Task[] {
  const retries = numberParam(exec.parameters, 'task_retries') ?? deps.defaults.task_retries;
  const interval = numberParam(exec.parameters, 'task_retry_interval') ?? deps.defaults.task_retry_interval;
  const dependents = dependentsOf(graph);
  // a built graph lists its tasks in topological order: the index is each task's place in it
  return graph.tasks.map((g: GraphTask, order) => ({
    ...g,
    execution_id: exec.id,
    state: 'pending',
    attempt: 0,
    order,
    max_retries: g.operation?.spec.max_retries ?? retries,
    retry_interval: g.operation?.spec.retry_interval ?? interval,
    dependents: dependents.get(g.id) ?? [],
    done_dependencies: [],
    error: null,
    result: null,
    updated_at: now,
  }));
}

export async function dispatch(
  deps: EngineDeps,
  payload: DispatchPayload,
  opts: RedriveOptions = {},
): Promise<void> {
  const { executionId, taskToken } = payload;
  const exec = await deps.store.getExecution(executionId);
  if (!exec) throw new NonRetryableError(`execution \`${executionId}\` does not exist`);
  if (TERMINAL_EXECUTION_STATUSES.includes(exec.status)) {
    await deps.orchestrator.failGraph(taskToken, 'ExecutionEnded', `execution is already ${exec.status}`);
    return;
  }

  let roots: Task[] | null = null;
  let current: typeof exec | null;
  if (!exec.graph_ready) {
    const now = deps.now().toISOString();
    const deployment = await deps.store.getDeployment(exec.deployment_id);
    if (!deployment) throw new NonRetryableError(`deployment \`${exec.deployment_id}\` does not exist`);
    const [nodes, instances] = await Promise.all([
      deps.store.listNodes(exec.deployment_id),
      deps.store.listNodeInstances(exec.deployment_id),
    ]);
    // instances are listed through an index, which may lag a deployment created a moment ago
    const expected = nodes.reduce((n, node) => n + node.number_of_instances, 0);
    if (instances.length < expected) {
      throw new RetryableError(
        `deployment \`${deployment.id}\`: ${instances.length} of ${expected} instances visible yet`,
      );
    }
    // a blueprint may name a workflow anything; its mapping says which built-in it runs
    const mapping = deployment.workflows.find((w) => w.name === exec.workflow_id)?.operation;
    const graph = buildWorkflowGraph({
      workflow_id: (mapping && builtinOfMapping(mapping)) || exec.workflow_id,
      parameters: exec.parameters,
      deployment,
      nodes,
      instances,
      defaults: deps.defaults,
    });
    const tasks = toTasks(graph, exec, deps, now);
    // tasks are written before the execution says the graph is ready: until then no task was released,
    // so a crash here is repaired by writing the same tasks again
    await deps.store.putTasks(exec.id, tasks);
    current = await deps.store.updateExecution(exec.id, ['pending', 'started'], {
      status: 'started',
      started_at: exec.started_at ?? now,
      graph_ready: true,
      total_operations: tasks.filter((t) => t.kind === 'operation').length,
      task_token: taskToken,
    });
    roots = tasks.filter((t) => t.dependencies.length === 0);
  } else {
    current = await deps.store.updateExecution(exec.id, ['started'], { task_token: taskToken });
    if (current?.error) {
      // the graph failed while the previous token was open: answer this one the same way
      await deps.orchestrator.failGraph(taskToken, 'TaskFailed', current.error);
      return;
    }
  }
  if (!current) {
    // the execution left `pending`/`started` meanwhile (cancelled): nothing to run
    await deps.orchestrator.failGraph(taskToken, 'ExecutionEnded', 'execution is no longer running');
    return;
  }
  const now = deps.now();
  await deps.store.putEvents([
    workflowEvent(
      current,
      'workflow_started',
      `Starting '${current.workflow_id}' workflow execution${current.is_dry_run ? ' (dry run)' : ''}`,
      current.started_at ?? now.toISOString(),
      now,
    ),
  ]);
  if (roots) await release(deps, current, roots);
  else await redrive(deps, current, opts);
}
