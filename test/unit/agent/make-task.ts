/** Builds task messages for the agent tests: a valid message with the parts a test cares about set. */
import { randomUUID } from 'node:crypto';
import type { EntityContext, TaskMessage } from '../../../core/messages.ts';

export function entity(node: string, over: Partial<EntityContext> = {}): EntityContext {
  return {
    node_id: node,
    node_instance_id: `${node}_a1b2c3`,
    node_properties: {},
    runtime_properties: {},
    ...over,
  };
}

export function makeTask(script: string | null, over: Partial<TaskMessage> = {}): TaskMessage {
  return {
    v: 1,
    execution_id: 'exec-1',
    task_id: `task-${randomUUID()}`,
    attempt: 0,
    deployment_id: 'dep-1',
    blueprint_id: 'bp-1',
    workflow_id: 'install',
    operation: 'cloudify.interfaces.lifecycle.create',
    implementation: 'scripts/op.sh',
    script,
    inputs: {},
    timeout: null,
    self: entity('web'),
    sent_at: new Date().toISOString(),
    ...over,
  };
}
