/**
 * Workflows: from a deployment and a workflow id to a task graph. Deterministic and free of I/O; the
 * dispatcher (functions/dispatch) stores the graph and runs it.
 */
import { NonRetryableError } from '../../core/errors.ts';
import type { TaskGraph } from '../../core/model.ts';
import { executeOperation, restart, start, stop } from './builtin/execute_operation.ts';
import { install } from './builtin/install.ts';
import { reinstall, uninstall } from './builtin/uninstall.ts';
import { WorkflowContext, type WorkflowInput } from './context.ts';

export { BUILTIN_WORKFLOW_SCHEMAS } from './builtin/parameters.ts';
export type { WorkflowInput } from './context.ts';

type WorkflowFunction = (ctx: WorkflowContext) => void;

const notSupportedYet =
  (name: string): WorkflowFunction =>
  (ctx) => {
    throw ctx.error(`the built-in workflow ${name} is not supported yet`);
  };

const WORKFLOWS: Record<string, WorkflowFunction> = {
  install,
  uninstall,
  reinstall,
  execute_operation: executeOperation,
  start,
  stop,
  restart,
  heal: notSupportedYet('heal'),
  scale: notSupportedYet('scale'),
};

/** Names of the workflows `buildWorkflowGraph` knows. */
export const BUILTIN_WORKFLOW_IDS: readonly string[] = Object.keys(WORKFLOWS);

/**
 * The task graph of one execution. Throws NonRetryableError (naming the workflow) for an unknown
 * workflow, a bad parameter, or a deployment the workflow cannot run on.
 */
export function buildWorkflowGraph(input: WorkflowInput): TaskGraph {
  const workflow = Object.hasOwn(WORKFLOWS, input.workflow_id) ? WORKFLOWS[input.workflow_id] : undefined;
  if (!workflow) {
    throw new NonRetryableError(
      `Workflow ${input.workflow_id}: unknown workflow; built-in workflows are ${BUILTIN_WORKFLOW_IDS.join(', ')}`,
      'workflow_error',
    );
  }
  const ctx = new WorkflowContext(input);
  workflow(ctx);
  return ctx.graph.build();
}
