/**
 * The central executor: a Lambda on the `central` queue (SQS event source with partial batch
 * responses) that runs operations with the same runner as the agents, executor name `central`.
 * A record is reported failed (left on the queue) when its result could not be sent; Lambda deletes
 * the others. A malformed record is also reported failed, so that it ends in the dead-letter queue.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CompletedTasks } from '../../agent/completed-tasks.ts';
import { parseTask } from '../../agent/parse-task.ts';
import { SqsResultSink, startedMessage } from '../../agent/result-sink.ts';
import { runStreaming } from '../../agent/run-streaming.ts';
import type { TaskMessage } from '../../core/messages.ts';

export const CENTRAL_EXECUTOR = 'central';
/** SQS refuses a visibility timeout beyond 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** records of one batch run at once */
const BATCH_CONCURRENCY = 10;

export interface CentralHandlerOptions {
  sqs: SQSClient;
  resultsQueueUrl: string;
  /** default: the OS temp dir (Lambda's /tmp) */
  workRoot?: string;
  log?: (line: string) => void;
}

/** Lambda context fields used here (the rest of the context is not needed). */
export interface CentralContext {
  getRemainingTimeInMillis?: () => number;
}

export type CentralHandler = (event: SQSEvent, context?: CentralContext) => Promise<SQSBatchResponse>;

/** The handler with its dependencies given: the local stack builds one on its own SQS client. */
export function createCentralHandler(opts: CentralHandlerOptions): CentralHandler {
  const sink = new SqsResultSink(opts.sqs, opts.resultsQueueUrl);
  // survives between invocations of a warm container: a redelivery re-sends instead of re-running
  const completed = new CompletedTasks(1000);
  const queueUrls = new Map<string, Promise<string>>();
  const workRoot = opts.workRoot ?? join(tmpdir(), 'stratus-central');
  const log = opts.log ?? ((line: string) => console.log(line));

  const queueUrlOf = (arn: string): Promise<string> => {
    let url = queueUrls.get(arn);
    if (!url) {
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , , , account, name] = arn.split(':');
      url = opts.sqs
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((out) => out.QueueUrl ?? Promise.reject(new Error(`no URL for queue ${arn}`)));
      url.catch(() => queueUrls.delete(arn));
      queueUrls.set(arn, url);
    }
    return url;
  };

  /** true when the record is done with (Lambda may delete it) */
  const processRecord = async (record: SQSRecord, deadline: AbortSignal | undefined): Promise<boolean> => {
    const parsed = parseTask(record.body);
    if (typeof parsed === 'string') {
      log(`message ${record.messageId} is not a valid task (${parsed}); left for the dead-letter queue`);
      return false;
    }
    const task: TaskMessage = parsed;
    const key = CompletedTasks.key(task);
    const label = `task ${task.task_id} attempt ${task.attempt} (${task.operation})`;
    const done = completed.get(key);
    if (done) {
      log(`${label} was already run here: re-sending its result`);
      return send(label, () => sink.sendResult(done));
    }
    const waitMs = task.not_before ? Date.parse(task.not_before) - Date.now() : 0;
    if (waitMs > 0) {
      const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(waitMs / 1000));
      try {
        const queueUrl = await queueUrlOf(record.eventSourceARN);
        await opts.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: seconds,
          }),
        );
        log(`${label} may not start before ${task.not_before}: hidden for ${seconds} s`);
      } catch (err) {
        log(`${label} may not start before ${task.not_before}; cannot hide it (${describe(err)})`);
      }
      return false;
    }
    if (!(await send(label, () => sink.sendResult(startedMessage(task, CENTRAL_EXECUTOR))))) return false;

    const result = await runStreaming(task, {
      executor: CENTRAL_EXECUTOR,
      workRoot,
      sink,
      ...(deadline ? { signal: deadline } : {}),
    });
    completed.set(key, result);
    log(`${label} ${result.outcome}`);
    const final = result;
    return send(label, () => sink.sendResult(final));
  };

  const send = async (label: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      log(`${label}: cannot send to the results queue (${describe(err)}); the message stays for redelivery`);
      return false;
    }
  };

  return async (event, context) => {
    // stop scripts 10 s before Lambda would, so that their result (failed_recoverable) is still sent
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline =
      remaining !== undefined ? AbortSignal.timeout(Math.max(1000, remaining - 10_000)) : undefined;
    const failures: SQSBatchItemFailure[] = [];
    const records = [...event.Records];
    const worker = async () => {
      for (let record = records.shift(); record; record = records.shift()) {
        let ok = false;
        try {
          ok = await processRecord(record, deadline);
        } catch (err) {
          log(`message ${record.messageId}: unexpected error ${describe(err)}`);
        }
        if (!ok) failures.push({ itemIdentifier: record.messageId });
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, records.length) }, worker));
    return { batchItemFailures: failures };
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

// Module scope: one client and one env read per container, reused by every invocation.
const sqs = new SQSClient({});
const RESULTS_QUEUE_URL = process.env.RESULTS_QUEUE_URL;
let lambdaHandler: CentralHandler | undefined;

export const handler: CentralHandler = (event, context) => {
  if (!RESULTS_QUEUE_URL) {
    throw new Error('RESULTS_QUEUE_URL is not set: the central executor needs the results queue URL');
  }
  lambdaHandler ??= createCentralHandler({ sqs, resultsQueueUrl: RESULTS_QUEUE_URL });
  return lambdaHandler(event, context);
};
