/** Cloudify's `uninstall` and `reinstall`, on all node instances or the filtered ones. */
import type { WorkflowContext } from '../context.ts';
import { reinstallNodeInstances, uninstallNodeInstances } from '../lifecycle.ts';
import { BUILTIN_WORKFLOW_SCHEMAS, filterInstances, Parameters } from './parameters.ts';

export function uninstall(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.uninstall?.parameters ?? {});
  rejectIgnoreFailure(ctx, params);
  uninstallNodeInstances(ctx, filterInstances(ctx, params));
}

export function reinstall(ctx: WorkflowContext): void {
  const params = new Parameters(ctx, BUILTIN_WORKFLOW_SCHEMAS.reinstall?.parameters ?? {});
  rejectIgnoreFailure(ctx, params);
  reinstallNodeInstances(ctx, filterInstances(ctx, params));
}

/** Ignoring failed tasks needs a per-task failure policy in the graph model, which it does not have yet. */
function rejectIgnoreFailure(ctx: WorkflowContext, params: Parameters): void {
  if (params.boolean('ignore_failure')) {
    throw ctx.error('parameter ignore_failure: true is not supported yet (only false)');
  }
}
