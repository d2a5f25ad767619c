/**
 * Wire contracts between the engine and the executors (agents and the central executor).
 * Both directions travel over SQS as JSON; both are validated on receipt with zod.
 * Messages never carry credentials, task tokens or anything beyond what the operation needs.
 */
import { z } from 'zod';

const json: z.ZodType<unknown> = z.unknown();

export const ENTITY_CONTEXT = z.object({
  node_id: z.string(),
  node_instance_id: z.string(),
  node_properties: z.record(z.string(), json),
  /** snapshot when the task was sent; ctx reads and writes this copy, the result carries the changes */
  runtime_properties: z.record(z.string(), json),
});
export type EntityContext = z.infer<typeof ENTITY_CONTEXT>;

export const TASK_MESSAGE = z.object({
  v: z.literal(1),
  execution_id: z.string(),
  task_id: z.string(),
  /** 0 on the first run; a result for another attempt is stale and changes nothing */
  attempt: z.number().int().min(0),
  deployment_id: z.string(),
  blueprint_id: z.string(),
  workflow_id: z.string(),
  /** full operation name, e.g. cloudify.interfaces.lifecycle.create */
  operation: z.string(),
  /** the script path as written in the blueprint */
  implementation: z.string(),
  /** the script itself (utf-8), so the agent needs no access to the blueprint store */
  script: z.string().nullable(),
  /** operation inputs with every intrinsic function already resolved */
  inputs: z.record(z.string(), json),
  /** seconds; null: no limit */
  timeout: z.number().nullable(),
  /** the node instance the operation runs for (for relationship ops: the side whose operation it is) */
  self: ENTITY_CONTEXT,
  relationship: z
    .object({
      type: z.string(),
      side: z.enum(['source', 'target']),
      source: ENTITY_CONTEXT,
      target: ENTITY_CONTEXT,
    })
    .optional(),
  /** ISO time; the executor must not start before it (retries longer than SQS's 15 minute delay) */
  not_before: z.string().optional(),
  sent_at: z.string(),
});
export type TaskMessage = z.infer<typeof TASK_MESSAGE>;

export const RUNTIME_PATCH = z.object({
  set: z.record(z.string(), json),
  unset: z.array(z.string()),
});
export type RuntimePatch = z.infer<typeof RUNTIME_PATCH>;

export const LOG_ENTRY = z.object({
  level: z.enum(['debug', 'info', 'warning', 'error']),
  message: z.string(),
  timestamp: z.string(),
});
export type LogEntry = z.infer<typeof LOG_ENTRY>;

const BASE = {
  v: z.literal(1),
  execution_id: z.string(),
  task_id: z.string(),
  attempt: z.number().int().min(0),
  /** name of the executor that ran it: `central` or the agent name */
  executor: z.string(),
  timestamp: z.string(),
};

export const RESULT_MESSAGE = z.discriminatedUnion('kind', [
  /** the executor picked the task up and is about to run it */
  z.object({ ...BASE, kind: z.literal('started') }),
  /** logs emitted while running (flushed periodically by long operations) */
  z.object({ ...BASE, kind: z.literal('log'), seq: z.number().int().min(0), logs: z.array(LOG_ENTRY) }),
  z.object({
    ...BASE,
    kind: z.literal('result'),
    /**
     * succeeded; failed_recoverable: retried if retries remain; retry: the script asked
     * for a retry (ctx retry_operation); failed_fatal: never retried (ctx abort_operation).
     */
    outcome: z.enum(['succeeded', 'failed_recoverable', 'retry', 'failed_fatal']),
    error: z.object({ message: z.string(), type: z.string(), traceback: z.string().optional() }).optional(),
    /** seconds to wait before the retry, when the script named one */
    retry_after: z.number().min(0).optional(),
    returns: json.optional(),
    /** runtime property changes by node instance id */
    runtime_properties: z.record(z.string(), RUNTIME_PATCH),
    logs: z.array(LOG_ENTRY),
  }),
]);
export type ResultMessage = z.infer<typeof RESULT_MESSAGE>;
export type TaskResult = Extract<ResultMessage, { kind: 'result' }>;
