/**
 * Finalize: the last state of every execution, on success and failure alike. Records the end status
 * once, emits the closing event, releases the deployment and starts the next queued execution.
 * Running it again changes nothing but finishing what a crash left undone.
 */
import type { ExecutionStatus } from '../../core/model.ts';
import { startNextQueued } from '../../core/services/executions.ts';
import type { FinalizePayload } from '../../core/state-machine.ts';
import type { EngineDeps } from './deps.ts';
import { workflowEvent } from './events.ts';

const RUNNING: readonly ExecutionStatus[] = [
  'pending',
  'started',
  'cancelling',
  'force_cancelling',
  'kill_cancelling',
];

/** Turns Step Functions' `{Error, Cause}` into a readable message (Lambda errors nest JSON in Cause). */
export function describeError(error: FinalizePayload['error']): string {
  if (!error) return '';
  try {
    const cause = JSON.parse(error.Cause) as { errorMessage?: string; errorType?: string };
    if (cause.errorMessage) return `${cause.errorType ?? error.Error}: ${cause.errorMessage}`;
  } catch {
    // Cause is plain text (SendTaskFailure)
  }
  return error.Cause ? error.Cause : error.Error;
}

export async function finalize(deps: EngineDeps, payload: FinalizePayload): Promise<void> {
  const exec = await deps.store.getExecution(payload.executionId);
  if (!exec) {
    deps.log('warn', 'finalize: no such execution', { executionId: payload.executionId });
    return;
  }
  const now = deps.now();
  let final = exec;
  if (RUNNING.includes(exec.status)) {
    const cancelled = exec.status.endsWith('cancelling');
    const failed = !cancelled && (payload.error !== null || payload.graph === null || Boolean(exec.error));
    const status: ExecutionStatus = cancelled ? 'cancelled' : failed ? 'failed' : 'terminated';
    const error = failed
      ? exec.error || describeError(payload.error) || 'the task graph did not complete'
      : '';
    final =
      (await deps.store.updateExecution(exec.id, RUNNING, { status, ended_at: now.toISOString(), error })) ??
      (await deps.store.getExecution(exec.id)) ??
      exec;
  }
  const ts = final.ended_at ?? now.toISOString();
  const wf = `'${final.workflow_id}' workflow execution`;
  if (final.status === 'terminated') {
    await deps.store.putEvents([workflowEvent(final, 'workflow_succeeded', `${wf} succeeded`, ts, now)]);
  } else if (final.status === 'failed') {
    await deps.store.putEvents([
      workflowEvent(final, 'workflow_failed', `${wf} failed: ${final.error}`, ts, now, final.error),
    ]);
  } else if (final.status === 'cancelled') {
    await deps.store.putEvents([workflowEvent(final, 'workflow_cancelled', `${wf} was cancelled`, ts, now)]);
  }
  await deps.store.releaseDeployment(final.deployment_id, final.id);
  await startNextQueued(
    { store: deps.store, blobs: deps.blobs, orchestrator: deps.orchestrator, clock: deps.now },
    final.deployment_id,
  );
}
