/**
 * Builders for the events an execution emits. Ids are deterministic (execution, task, attempt, kind)
 * and timestamps come from stored records or executor messages, so a handler that runs twice writes
 * each event once, at the same place in the order.
 */
import type { LogEntry } from '../../core/messages.ts';
import type { EventType, Execution, StratusEvent, Task } from '../../core/model.ts';

type ExecRef = Pick<Execution, 'id' | 'deployment_id' | 'workflow_id'>;

function base(exec: ExecRef, timestamp: string, now: Date) {
  return {
    execution_id: exec.id,
    deployment_id: exec.deployment_id,
    workflow_id: exec.workflow_id,
    timestamp,
    reported_timestamp: now.toISOString(),
  };
}

function nodeName(instanceId: string | null): string | null {
  if (!instanceId) return null;
  const cut = instanceId.lastIndexOf('_');
  return cut > 0 ? instanceId.slice(0, cut) : instanceId;
}

export function workflowEvent(
  exec: ExecRef,
  type: Extract<EventType, `workflow_${string}`>,
  message: string,
  timestamp: string,
  now: Date,
  error?: string,
): StratusEvent {
  return {
    ...base(exec, timestamp, now),
    id: `${exec.id}#${type}`,
    type: 'cloudify_event',
    event_type: type,
    level: null,
    message,
    node_instance_id: null,
    node_name: null,
    operation: null,
    error_causes: error ? [{ message: error, type: 'WorkflowFailed' }] : null,
  };
}

export function nodeEvent(
  exec: ExecRef,
  task: Task,
  index: number,
  message: string,
  now: Date,
): StratusEvent {
  return {
    ...base(exec, task.updated_at, now),
    // padded: events of one merged local task sort in action order
    id: `${exec.id}#${task.id}#node_event#${String(index).padStart(4, '0')}`,
    type: 'cloudify_event',
    event_type: 'workflow_node_event',
    level: null,
    message,
    node_instance_id: task.node_instance_id,
    node_name: nodeName(task.node_instance_id),
    operation: null,
    error_causes: null,
  };
}

export function taskEvent(
  exec: ExecRef,
  task: Pick<Task, 'id' | 'name' | 'node_instance_id'>,
  attempt: number,
  type: Extract<
    EventType,
    'sending_task' | 'task_started' | 'task_succeeded' | 'task_failed' | 'task_rescheduled'
  >,
  timestamp: string,
  now: Date,
  error?: { message: string; type: string; traceback?: string },
  dryRun = false,
): StratusEvent {
  const messages: Record<typeof type, string> = {
    sending_task: `Sending task '${task.name}'`,
    task_started: `Task started '${task.name}'`,
    task_succeeded: `Task succeeded '${task.name}${dryRun ? ' (dry run)' : ''}'`,
    task_failed: `Task failed '${task.name}'${error ? ` -> ${error.message}` : ''}`,
    task_rescheduled: `Task rescheduled '${task.name}'${error ? ` -> ${error.message}` : ''}`,
  };
  return {
    ...base(exec, timestamp, now),
    id: `${exec.id}#${task.id}#${attempt}#${type}`,
    type: 'cloudify_event',
    event_type: type,
    level: null,
    message: attempt > 0 ? `${messages[type]} [retry ${attempt}]` : messages[type],
    node_instance_id: task.node_instance_id,
    node_name: nodeName(task.node_instance_id),
    operation: task.name,
    error_causes: error ? [error] : null,
  };
}

export function logEvents(
  exec: ExecRef,
  task: Pick<Task, 'id' | 'name' | 'node_instance_id'>,
  attempt: number,
  stream: string,
  logs: LogEntry[],
  now: Date,
): StratusEvent[] {
  return logs.map((l, i) => ({
    // the position is padded so that logs with one timestamp keep their order
    ...base(exec, l.timestamp, now),
    id: `${exec.id}#${task.id}#${attempt}#log#${stream}#${String(i).padStart(5, '0')}`,
    type: 'cloudify_log',
    event_type: null,
    level: l.level,
    message: l.message,
    node_instance_id: task.node_instance_id,
    node_name: nodeName(task.node_instance_id),
    operation: task.name,
    error_causes: null,
  }));
}
