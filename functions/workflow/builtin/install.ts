/** Cloudify's `install`: every node instance through create, configure and start, by relationship order. */
import type { WorkflowContext } from '../context.ts';
import { installNodeInstances } from '../lifecycle.ts';

export function install(ctx: WorkflowContext): void {
  installNodeInstances(ctx, ctx.instances);
}
