/**
 * Releasing tasks: runs local tasks inline, sends operation tasks to their queue, and walks on to
 * dependents whose dependencies are all done. Every step is a conditional write, so two handlers
 * racing on the same graph (or one handler running twice) release each task once.
 */
import { errorMessage } from '../../core/errors.ts';
import {
  END_TASK_ID,
  type Execution,
  type NodeInstanceState,
  type StratusEvent,
  type Task,
} from '../../core/model.ts';
import type { ExecutionInternals } from '../../core/ports.ts';
import type { EngineDeps } from './deps.ts';
import { nodeEvent, taskEvent } from './events.ts';
import { buildTaskMessage, PermanentTaskError } from './task-message.ts';

type Exec = Execution & ExecutionInternals;

/**
 * A task left in `sending` longer than this is taken to be orphaned by a crash between the claim
 * and the send, and is sent again by whoever finds it. Younger ones belong to a running handler.
 */
export const STALE_SENDING_MS = 30_000;

export function isReady(t: Task): boolean {
  return t.done_dependencies.length >= t.dependencies.length;
}

/**
 * SQS refused the message, or DynamoDB (or its marshaller) the item, for what it holds — its size,
 * a number a double cannot hold, characters SQS refuses: retrying cannot help.
 */
export function isUnstorable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MessageTooLong' ||
    err.name === 'InvalidMessageContents' ||
    /message must be shorter than|too long|size has exceeded|item size|MAX_SAFE_INTEGER|invalid characters/i.test(
      err.message,
    )
  );
}

export function isStaleSending(t: Task, now: Date): boolean {
  return t.state === 'sending' && now.getTime() - Date.parse(t.updated_at) >= STALE_SENDING_MS;
}

export interface ReleaseOptions {
  /** send tasks found in `sending` whatever their age (recovery after the local stack restarts) */
  resendSending?: boolean;
}

/** Tasks handled at once by one release walk (each is a few sequential store calls). */
export const RELEASE_CONCURRENCY = 16;

/**
 * Releases `tasks` (whose dependencies are done) and, transitively, what they unblock, up to
 * RELEASE_CONCURRENCY at a time (a first wave of 10,000 roots must not take 10,000 round trips in
 * a row). Each task is handled once per walk, however many paths reach it.
 */
export async function release(deps: EngineDeps, exec: Exec, tasks: Task[], opts: ReleaseOptions = {}) {
  const seen = new Set<string>();
  const queue = [...tasks];
  let active = 0;
  let error: { err: unknown } | null = null;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      // after a failure nothing new starts; the walk ends when the running ones have settled, so
      // that no store call is left running behind the handler's answer
      while (!error && active < RELEASE_CONCURRENCY && queue.length > 0) {
        const t = queue.pop() as Task;
        if (seen.has(t.id)) continue;
        seen.add(t.id);
        active++;
        handle(deps, exec, t, opts).then(
          (next) => {
            active--;
            queue.push(...next);
            pump();
          },
          (err: unknown) => {
            active--;
            error ??= { err };
            pump();
          },
        );
      }
      if (active === 0 && (error || queue.length === 0)) {
        if (error) reject(error.err);
        else resolve();
      }
    };
    pump();
  });
}

/** One task of a walk: run or send it; returns the dependents it made ready. */
async function handle(deps: EngineDeps, exec: Exec, t: Task, opts: ReleaseOptions): Promise<Task[]> {
  if (exec.status !== 'started') return [];
  const finished = await step(deps, exec, t, opts);
  if (!finished) return [];
  if (finished.id === END_TASK_ID) {
    await completeGraph(deps, exec.id);
    return [];
  }
  return unblockDependents(deps, exec, finished);
}

/** Marks `finished` as a done dependency of each dependent; returns those that became ready. */
export async function unblockDependents(deps: EngineDeps, exec: Exec, finished: Task): Promise<Task[]> {
  const ready: Task[] = [];
  for (const id of finished.dependents) {
    const d = await deps.store.addDoneDependency(exec.id, id, finished.id);
    if (!isReady(d)) continue;
    // `started` local tasks may have been cut off by a crash mid-run; a `failed` one may not have
    // failed its graph yet (a crash in between): both are looked at again
    if (
      ['pending', 'sending', 'succeeded', 'failed'].includes(d.state) ||
      (d.state === 'started' && d.kind === 'local')
    ) {
      ready.push(d);
    }
  }
  return ready;
}

/** Runs or sends one task. Returns it when it finished here (local tasks, dry runs). */
async function step(deps: EngineDeps, exec: Exec, t: Task, opts: ReleaseOptions): Promise<Task | null> {
  if (t.state === 'succeeded') return t.kind === 'local' || exec.is_dry_run ? t : null;
  if (t.state === 'failed') {
    await failGraph(deps, exec.id, t.error ?? `task '${t.name}' failed`);
    return null;
  }
  if (t.kind === 'local' || exec.is_dry_run) return runInline(deps, exec, t, opts);
  if (t.state === 'pending') {
    const claimed = await deps.store.transitionTask(
      exec.id,
      t.id,
      { from: ['pending'] },
      { state: 'sending', updated_at: deps.now().toISOString() },
    );
    if (claimed) await send(deps, exec, claimed, { revertTo: 'pending' });
    return null;
  }
  if (t.state === 'sending' && (opts.resendSending || isStaleSending(t, deps.now()))) {
    await resendOrphan(deps, exec, t, 'pending');
  }
  return null;
}

/**
 * Sends a task found in `sending` with no live handler behind it (a crash between claim and send).
 * It is claimed again first, conditionally on the `updated_at` that was seen, so that of several
 * handlers finding it at once exactly one sends it.
 */
export async function resendOrphan(
  deps: EngineDeps,
  exec: Exec,
  t: Task,
  revertTo: 'pending' | 'rescheduled',
): Promise<void> {
  const claimed = await deps.store.transitionTask(
    exec.id,
    t.id,
    { from: ['sending'], attempt: t.attempt, updatedAt: t.updated_at },
    { state: 'sending', updated_at: deps.now().toISOString() },
  );
  if (claimed) {
    await send(deps, exec, claimed, {
      revertTo,
      delaySeconds: claimed.attempt > 0 ? claimed.retry_interval : 0,
    });
  }
}

/**
 * Local tasks (and every task of a dry run) run here. The claim (pending → started) stores the time
 * their events carry, so running them again after a crash rewrites the same events, not new ones.
 * Their actions are idempotent writes: a second runner (after a crash, or racing) does no harm.
 */
async function runInline(deps: EngineDeps, exec: Exec, t: Task, opts: ReleaseOptions): Promise<Task | null> {
  const now = deps.now();
  let claimed: Task | null = t.state === 'started' ? t : null;
  if (!claimed) {
    claimed = await deps.store.transitionTask(
      exec.id,
      t.id,
      { from: ['pending', 'sending'] },
      { state: 'started', updated_at: now.toISOString() },
    );
    if (!claimed) {
      // another handler claimed it: leave it to that one unless it looks abandoned
      const current = await deps.store.getTask(exec.id, t.id);
      if (!current || current.state === 'succeeded') return current;
      if (!opts.resendSending && now.getTime() - Date.parse(current.updated_at) < STALE_SENDING_MS)
        return null;
      claimed = current;
    }
  }
  if (claimed.state === 'succeeded') return claimed;
  // one write per instance for its last state (the states in between are not observable
  // inside one local task), one batch for all its events; a dry run leaves no state behind
  const finalState = new Map<string, NodeInstanceState>();
  const events: StratusEvent[] = [];
  (claimed.actions ?? []).forEach((action, index) => {
    if (action.type === 'set_state' && claimed.node_instance_id && !exec.is_dry_run)
      finalState.set(claimed.node_instance_id, action.state);
    else if (action.type === 'event') events.push(nodeEvent(exec, claimed, index, action.message, now));
  });
  for (const [id, state] of finalState) await deps.store.setNodeInstanceState(id, state);
  if (events.length) await deps.store.putEvents(events);
  if (claimed.kind === 'operation') {
    // dry run: report the operation as Cloudify does, without running it
    await deps.store.putEvents(
      (['sending_task', 'task_started', 'task_succeeded'] as const).map((type) =>
        taskEvent(exec, claimed, claimed.attempt, type, claimed.updated_at, now, undefined, true),
      ),
    );
  }
  const done = await deps.store.transitionTask(
    exec.id,
    t.id,
    { from: ['started'] },
    { state: 'succeeded', updated_at: now.toISOString() },
  );
  if (done) {
    if (t.kind === 'operation') await deps.store.incrementFinished(exec.id, 1);
    return done;
  }
  const current = await deps.store.getTask(exec.id, t.id);
  return current?.state === 'succeeded' ? current : null;
}

/**
 * Sends a claimed (`sending`) operation task, then marks it `sent`. On a transient failure the claim
 * goes back to `revertTo`, so that the retry of the calling handler claims and sends it again.
 */
export async function send(
  deps: EngineDeps,
  exec: Exec,
  t: Task,
  opts: { delaySeconds?: number; revertTo: 'pending' | 'rescheduled' },
): Promise<void> {
  const delaySeconds = opts.delaySeconds ?? 0;
  const now = deps.now();
  try {
    const { message, target } = await buildTaskMessage(deps, exec, t, delaySeconds);
    await deps.store.putEvents([taskEvent(exec, t, t.attempt, 'sending_task', t.updated_at, now)]);
    await deps.queues.sendTask(target, message, delaySeconds);
  } catch (err) {
    if (err instanceof PermanentTaskError || isUnstorable(err)) {
      await failTask(deps, exec, t, { message: errorMessage(err), type: 'OperationError' });
      return;
    }
    await deps.store.transitionTask(
      exec.id,
      t.id,
      { from: ['sending'], attempt: t.attempt },
      { state: opts.revertTo, updated_at: now.toISOString() },
    );
    throw err;
  }
  await deps.store.transitionTask(
    exec.id,
    t.id,
    { from: ['sending'], attempt: t.attempt },
    { state: 'sent' },
  );
}

/** The task failed for good: record it and fail the whole graph (Cloudify stops the workflow). */
export async function failTask(
  deps: EngineDeps,
  exec: Exec,
  t: Task,
  error: { message: string; type: string; traceback?: string },
): Promise<void> {
  const now = deps.now();
  const failed =
    (await deps.store.transitionTask(
      exec.id,
      t.id,
      { from: ['pending', 'sending', 'sent', 'started', 'rescheduled'], attempt: t.attempt },
      { state: 'failed', error: error.message, updated_at: now.toISOString() },
    )) ?? (await deps.store.getTask(exec.id, t.id));
  if (failed?.state !== 'failed') return;
  await deps.store.putEvents([
    taskEvent(exec, failed, failed.attempt, 'task_failed', failed.updated_at, now, error),
  ]);
  await failGraph(
    deps,
    exec.id,
    `Task failed '${failed.name}' on '${failed.node_instance_id ?? '-'}': ${error.message}`,
  );
}

export async function completeGraph(deps: EngineDeps, executionId: string): Promise<void> {
  const exec = await deps.store.getExecution(executionId);
  if (!exec?.task_token) {
    deps.log('error', 'graph finished but the execution has no task token', { executionId });
    return;
  }
  await deps.orchestrator.completeGraph(exec.task_token, { status: 'succeeded' });
}

export async function failGraph(deps: EngineDeps, executionId: string, message: string): Promise<void> {
  // the first error is recorded before the callback, so Finalize reports it even if the callback
  // is lost; calling this again (redelivery, recovery) repeats the callback, which is harmless
  let current = await deps.store.getExecution(executionId);
  if (current && !current.error) {
    current = (await deps.store.updateExecution(executionId, ['started'], { error: message })) ?? current;
  }
  if (!current?.task_token) {
    deps.log('error', 'graph failed but the execution has no task token', { executionId });
    return;
  }
  try {
    await deps.orchestrator.failGraph(current.task_token, 'TaskFailed', message);
  } catch (err) {
    deps.log('error', 'could not report the failed graph', { executionId, error: errorMessage(err) });
    throw err;
  }
}
