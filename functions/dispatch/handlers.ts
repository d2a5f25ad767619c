/**
 * The engine's three entry points over injected deps: the same functions serve the Lambdas
 * (functions/dispatch/lambda.ts) and the local stack. They translate errors into what Step Functions
 * should do: NonRetryableError fails the execution, anything unexpected is retried (RetryableError).
 */
import { errorMessage, NonRetryableError, RetryableError, StratusError } from '../../core/errors.ts';
import { type BatchRecord, type BatchResponse, processBatch } from '../../core/sqs-batch.ts';
import type { DispatchPayload, FinalizePayload } from '../../core/state-machine.ts';
import { advance, parseResult } from './advance.ts';
import type { EngineDeps } from './deps.ts';
import { dispatch } from './expand.ts';
import { finalize } from './finalize.ts';
import type { RedriveOptions } from './redrive.ts';

/** Unknown errors (throttling, network) become RetryableError, which the state machine retries. */
function forStepFunctions(err: unknown): Error {
  if (err instanceof NonRetryableError || err instanceof RetryableError) return err;
  if (err instanceof StratusError && err.retry.kind === 'fail')
    return new NonRetryableError(err.message, err.errorCode);
  return new RetryableError(errorMessage(err), undefined, err);
}

export function engineHandlers(deps: EngineDeps) {
  return {
    async dispatch(payload: DispatchPayload, opts?: RedriveOptions): Promise<void> {
      try {
        await dispatch(deps, payload, opts);
      } catch (err) {
        deps.log('error', 'dispatch failed', { executionId: payload.executionId, error: errorMessage(err) });
        throw forStepFunctions(err);
      }
    },
    async finalize(payload: FinalizePayload): Promise<void> {
      try {
        await finalize(deps, payload);
      } catch (err) {
        deps.log('error', 'finalize failed', { executionId: payload.executionId, error: errorMessage(err) });
        throw forStepFunctions(err);
      }
    },
    advance(records: readonly BatchRecord[]): Promise<BatchResponse> {
      return processBatch(
        records,
        (body) => advance(deps, parseResult(body)),
        (r, err) =>
          deps.log('error', 'result not processed; it will be delivered again', {
            messageId: r.messageId,
            error: errorMessage(err),
          }),
      );
    },
  };
}
