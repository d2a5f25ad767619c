/**
 * Advance: what executors report. Records the result (idempotently, keyed by task and attempt),
 * applies runtime-property changes, schedules retries, releases dependents, and lets a late,
 * duplicate or out-of-order message change nothing it should not.
 */
import { errorMessage } from '../../core/errors.ts';
import { RESULT_MESSAGE, type ResultMessage, type TaskResult } from '../../core/messages.ts';
import type { Execution, Task } from '../../core/model.ts';
import type { ExecutionInternals } from '../../core/ports.ts';
import type { EngineDeps } from './deps.ts';
import { logEvents, taskEvent } from './events.ts';
import {
  failGraph,
  failTask,
  isStaleSending,
  isUnstorable,
  release,
  resendOrphan,
  send,
  unblockDependents,
} from './release.ts';

type Exec = Execution & ExecutionInternals;

export function parseResult(body: string): ResultMessage {
  return RESULT_MESSAGE.parse(JSON.parse(body));
}

function running(exec: Exec): boolean {
  return exec.status === 'started' && !exec.error;
}

type ExecRef = Pick<Execution, 'id' | 'deployment_id' | 'workflow_id'>;

/** The parts of an execution that never change, cached per process: `started` and `log` need only these. */
const refs = new Map<string, ExecRef>();

async function execRef(deps: EngineDeps, id: string): Promise<ExecRef | null> {
  const cached = refs.get(id);
  if (cached) return cached;
  const exec = await deps.store.getExecution(id);
  if (!exec) return null;
  const ref = { id: exec.id, deployment_id: exec.deployment_id, workflow_id: exec.workflow_id };
  refs.set(id, ref);
  if (refs.size > 1000) refs.delete(refs.keys().next().value as string);
  return ref;
}

function dropped(deps: EngineDeps, msg: ResultMessage): void {
  deps.log('warn', 'result for an unknown execution or task: dropped', {
    executionId: msg.execution_id,
    taskId: msg.task_id,
  });
}

export async function advance(deps: EngineDeps, msg: ResultMessage): Promise<void> {
  const now = deps.now();
  if (msg.kind === 'result') {
    const [exec, task] = await Promise.all([
      deps.store.getExecution(msg.execution_id),
      deps.store.getTask(msg.execution_id, msg.task_id),
    ]);
    if (!exec || !task) return dropped(deps, msg);
    return onResult(deps, exec, task, msg);
  }
  const exec = await execRef(deps, msg.execution_id);
  if (!exec) return dropped(deps, msg);
  if (msg.kind === 'log') {
    const task = await deps.store.getTask(exec.id, msg.task_id);
    if (!task) return dropped(deps, msg);
    await deps.store.putEvents(logEvents(exec, task, msg.attempt, `s${msg.seq}`, msg.logs, now));
    return;
  }
  // started: the conditional transition is the read; only a lost condition needs a look at the task
  const task =
    (await deps.store.transitionTask(
      exec.id,
      msg.task_id,
      { from: ['pending', 'sending', 'sent'], attempt: msg.attempt },
      { state: 'started', updated_at: now.toISOString() },
    )) ?? (await deps.store.getTask(exec.id, msg.task_id));
  if (!task) return dropped(deps, msg);
  if (task.attempt !== msg.attempt) return;
  await deps.store.putEvents([taskEvent(exec, task, msg.attempt, 'task_started', msg.timestamp, now)]);
}

/** A result for the current attempt proves the task was sent, even if its sender then reverted it. */
const IN_FLIGHT = ['pending', 'sending', 'sent', 'started', 'rescheduled'] as const;

async function onResult(deps: EngineDeps, exec: Exec, task: Task, msg: TaskResult): Promise<void> {
  const now = deps.now();
  if (exec.status === 'started' && exec.error && task.state !== 'failed') {
    // the graph failed, but its callback may have been lost (a crash, a throttled call): repeat it
    await failGraph(deps, exec.id, exec.error);
  }
  const error = msg.error ?? { message: `operation ended ${msg.outcome}`, type: 'OperationError' };
  if (msg.attempt !== task.attempt) {
    // a late result of an older attempt changes nothing, except that the retry it caused may have
    // been lost by a crash between "rescheduled" and "sent": finish that now
    if (msg.attempt === task.attempt - 1 && msg.outcome !== 'succeeded') {
      await deps.store.putEvents([
        taskEvent(exec, task, msg.attempt, 'task_rescheduled', msg.timestamp, now, error),
      ]);
      if (running(exec)) {
        if (task.state === 'rescheduled') await resend(deps, exec, task, task.retry_interval);
        else if (isStaleSending(task, now)) await resendOrphan(deps, exec, task, 'rescheduled');
      }
    }
    return;
  }
  await deps.store.putEvents(logEvents(exec, task, msg.attempt, 'result', msg.logs, now));

  if (task.state === 'succeeded') return finishSucceeded(deps, exec, task, msg);
  if (task.state === 'failed') {
    // the failure may not have reached Step Functions (a crash in between): failTask repeats
    // what is missing, idempotently
    await failTask(deps, exec, task, error);
    return;
  }
  if (!(IN_FLIGHT as readonly string[]).includes(task.state)) return;

  // runtime properties persist whatever the outcome (Cloudify saves them after failures too: a
  // script may store an id and then ask for a retry). They go first: after a crash the redelivered
  // result applies them again, and the guard keeps a stale copy from overwriting what a later
  // task of this execution wrote meanwhile.
  try {
    for (const [instanceId, patch] of Object.entries(msg.runtime_properties)) {
      await deps.store.patchRuntimeProperties(instanceId, patch, {
        execution_id: exec.id,
        order: task.order,
      });
    }
  } catch (err) {
    if (!isUnstorable(err)) throw err;
    await failTask(deps, exec, task, {
      message: `runtime properties not saved: ${errorMessage(err)}`,
      type: 'OperationError',
    });
    return;
  }

  if (msg.outcome === 'succeeded') {
    let done: Task | null;
    try {
      done = await deps.store.transitionTask(
        exec.id,
        task.id,
        { from: IN_FLIGHT, attempt: msg.attempt },
        {
          state: 'succeeded',
          result: (msg.returns ?? null) as Task['result'],
          updated_at: now.toISOString(),
        },
      );
    } catch (err) {
      if (!isUnstorable(err)) throw err;
      await failTask(deps, exec, task, {
        message: `result not saved: ${errorMessage(err)}`,
        type: 'OperationError',
      });
      return;
    }
    if (done) {
      await deps.store.incrementFinished(exec.id, 1);
      return finishSucceeded(deps, exec, done, msg);
    }
    const current = await deps.store.getTask(exec.id, task.id);
    if (current?.state === 'succeeded' && current.attempt === msg.attempt) {
      return finishSucceeded(deps, exec, current, msg);
    }
    return;
  }

  const retriesLeft = task.max_retries < 0 || task.attempt < task.max_retries;
  if (msg.outcome === 'failed_fatal' || !retriesLeft) {
    await failTask(deps, exec, task, error);
    return;
  }
  const rescheduled = await deps.store.transitionTask(
    exec.id,
    task.id,
    { from: IN_FLIGHT, attempt: msg.attempt },
    { state: 'rescheduled', attempt: task.attempt + 1, error: error.message, updated_at: now.toISOString() },
  );
  if (!rescheduled) return;
  await deps.store.putEvents([
    taskEvent(exec, task, msg.attempt, 'task_rescheduled', msg.timestamp, now, error),
  ]);
  if (running(exec)) await resend(deps, exec, rescheduled, msg.retry_after ?? task.retry_interval);
}

/** The duplicate-safe tail of a success: its event, then its dependents (each released once). */
async function finishSucceeded(deps: EngineDeps, exec: Exec, task: Task, msg: TaskResult): Promise<void> {
  const now = deps.now();
  await deps.store.putEvents([taskEvent(exec, task, msg.attempt, 'task_succeeded', msg.timestamp, now)]);
  if (!running(exec)) return;
  await release(deps, exec, await unblockDependents(deps, exec, task));
}

async function resend(deps: EngineDeps, exec: Exec, task: Task, delaySeconds: number): Promise<void> {
  const claimed = await deps.store.transitionTask(
    exec.id,
    task.id,
    { from: ['rescheduled'], attempt: task.attempt },
    { state: 'sending', updated_at: deps.now().toISOString() },
  );
  if (claimed) await send(deps, exec, claimed, { delaySeconds, revertTo: 'rescheduled' });
}
