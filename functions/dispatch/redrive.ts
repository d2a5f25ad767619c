/**
 * Redrive: walks a persisted graph and finishes whatever a crash or a lost message left undone.
 * Used when Dispatch runs again for an execution whose graph already exists, and by the local
 * stack after a restart (its in-memory queues lost their messages, so in-flight tasks are re-sent).
 * O(tasks) reads; it is a recovery path, not the hot path.
 */
import { END_TASK_ID, type Execution, type Task } from '../../core/model.ts';
import type { ExecutionInternals } from '../../core/ports.ts';
import type { EngineDeps } from './deps.ts';
import { completeGraph, failGraph, isReady, release } from './release.ts';

export interface RedriveOptions {
  /** re-send tasks that were sent or started (their messages are known to be lost) */
  resendInFlight?: boolean;
}

export async function redrive(
  deps: EngineDeps,
  exec: Execution & ExecutionInternals,
  opts: RedriveOptions = {},
): Promise<void> {
  const tasks = await deps.store.listTasks(exec.id);
  const failed = tasks.find((t) => t.state === 'failed');
  if (failed) {
    // the graph failed (its callback may never have gone out): nothing more is released
    await failGraph(deps, exec.id, exec.error || failed.error || `task '${failed.name}' failed`);
    return;
  }
  // repair what a crash cut short: a finished task its dependent has not counted yet
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const t of tasks) {
    if (t.state !== 'succeeded') continue;
    for (const id of t.dependents) {
      const d = byId.get(id);
      if (d && !d.done_dependencies.includes(t.id))
        byId.set(id, await deps.store.addDoneDependency(exec.id, id, t.id));
    }
  }
  if (byId.get(END_TASK_ID)?.state === 'succeeded') {
    await completeGraph(deps, exec.id);
    return;
  }
  const ready: Task[] = [];
  for (const t of byId.values()) {
    if (!isReady(t)) continue;
    const cutOffLocal = t.state === 'started' && (t.kind === 'local' || exec.is_dry_run);
    if (t.state === 'pending' || t.state === 'sending' || cutOffLocal) {
      ready.push(t);
    } else if (
      opts.resendInFlight &&
      (t.state === 'sent' || t.state === 'started' || t.state === 'rescheduled')
    ) {
      // their messages were lost with the queues: claim again and send
      const claimed = await deps.store.transitionTask(
        exec.id,
        t.id,
        { from: [t.state], attempt: t.attempt },
        { state: 'sending', updated_at: deps.now().toISOString() },
      );
      if (claimed) ready.push(claimed);
    }
  }
  await release(deps, exec, ready, { resendSending: opts.resendInFlight });
}
