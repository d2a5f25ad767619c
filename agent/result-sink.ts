/**
 * Sends result messages (started, log, result) to the results queue. Every message must fit in one
 * SQS message: a result sheds its oldest logs first; callers split log batches with chunkLogs.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LogEntry, ResultMessage, TaskMessage, TaskResult } from '../core/messages.ts';
import type { ResultSink } from '../core/ports.ts';
import { sqsBody } from '../core/sqs-body.ts';

/** SQS takes 262,144 bytes; leave room for attributes and envelope. */
export const MAX_MESSAGE_BYTES = 250_000;
/** room left in a `log` message for its envelope */
const MAX_LOG_BATCH_BYTES = MAX_MESSAGE_BYTES - 1_000;

export class SqsResultSink implements ResultSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendResult(msg: ResultMessage): Promise<void> {
    await this.#send(msg.kind === 'result' ? fitResult(msg) : msg);
  }

  async #send(msg: ResultMessage): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: sqsBody(msg) }));
  }
}

export function startedMessage(task: TaskMessage, executor: string): ResultMessage {
  return {
    v: 1,
    kind: 'started',
    execution_id: task.execution_id,
    task_id: task.task_id,
    attempt: task.attempt,
    executor,
    timestamp: new Date().toISOString(),
  };
}

export function logMessage(
  task: TaskMessage,
  executor: string,
  seq: number,
  logs: LogEntry[],
): ResultMessage {
  return {
    v: 1,
    kind: 'log',
    execution_id: task.execution_id,
    task_id: task.task_id,
    attempt: task.attempt,
    executor,
    timestamp: new Date().toISOString(),
    seq,
    logs,
  };
}

function bytes(msg: unknown): number {
  return Buffer.byteLength(sqsBody(msg));
}

/**
 * The result as it can travel: the oldest logs dropped until it fits; when even without logs it does
 * not fit (huge runtime properties or returns), a fatal failure that says so.
 */
export function fitResult(result: TaskResult): TaskResult {
  if (bytes(result) <= MAX_MESSAGE_BYTES) return result;
  let logs = result.logs;
  while (logs.length > 0) {
    logs = logs.slice(Math.ceil(logs.length / 2));
    const note: LogEntry = {
      level: 'warning',
      message: `${result.logs.length - logs.length} earlier log line(s) omitted: the result must fit in one SQS message`,
      timestamp: result.timestamp,
    };
    const candidate = { ...result, logs: [note, ...logs] };
    if (bytes(candidate) <= MAX_MESSAGE_BYTES) return candidate;
  }
  const size = bytes({ ...result, logs: [] });
  return {
    ...result,
    outcome: 'failed_fatal',
    error: {
      type: 'NonRecoverableError',
      message:
        `the operation's result is ${size} bytes: runtime-property changes and returns must fit in ` +
        `${MAX_MESSAGE_BYTES} bytes (one SQS message)`,
    },
    returns: undefined,
    runtime_properties: {},
    logs: [],
  };
}

/** Splits log entries into batches that each fit in one `log` message. */
export function chunkLogs(logs: LogEntry[]): LogEntry[][] {
  const chunks: LogEntry[][] = [];
  let current: LogEntry[] = [];
  let size = 0;
  for (const entry of logs) {
    const cost = bytes(entry) + 1;
    if (current.length > 0 && size + cost > MAX_LOG_BATCH_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
