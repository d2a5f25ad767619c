/**
 * Redrive: walks a persisted graph and finishes whatever a crash or a lost message left undone.
 * Used when Dispatch runs again for an execution whose graph already exists, and by the local
 * stack after a restart (its in-memory queues lost their messages, so in-flight tasks are re-sent).
 * O(tasks) reads; it is a recovery path, not the hot path.
 */
import type { Execution, Task } from '../../core/model.ts';
import type { ExecutionInternals } from '../../core/ports.ts';
import type { EngineDeps } from './deps.ts';
import { release, send, unblockDependents } from './release.ts';

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
  const ready: Task[] = [];
  for (const t of tasks) {
    if (exec.status !== 'started') return;
    if (t.state === 'succeeded') {
      ready.push(...(await unblockDependents(deps, exec, t)));
    } else if (t.state === 'pending' && t.done_dependencies.length >= t.dependencies.length) {
      ready.push(t);
    } else if (t.state === 'sending' || (t.state === 'started' && (t.kind === 'local' || exec.is_dry_run))) {
      ready.push(t);
    } else if (opts.resendInFlight && ['sent', 'started', 'rescheduled'].includes(t.state)) {
      const claimed = await deps.store.transitionTask(
        exec.id,
        t.id,
        { from: [t.state], attempt: t.attempt },
        { state: 'sending', updated_at: deps.now().toISOString() },
      );
      if (claimed) await send(deps, exec, claimed, { revertTo: 'pending' });
    }
  }
  // de-duplicate: a task can be unblocked by several finished dependencies
  const unique = [...new Map(ready.map((t) => [t.id, t])).values()];
  await release(deps, exec, unique, { resendSending: opts.resendInFlight });
}
