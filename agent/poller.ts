/**
 * The agent's loop over its own SQS queue: receive a task, say `started`, run it while keeping the
 * message invisible, send the `result`, and only then delete the message. A crash anywhere before
 * the delete means redelivery; a redelivered (task, attempt) that already ran re-sends its result.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TaskMessage, TaskResult } from '../core/messages.ts';
import { CompletedTasks } from './completed-tasks.ts';
import { parseTask } from './parse-task.ts';
import { SqsResultSink, startedMessage } from './result-sink.ts';
import { runStreaming } from './run-streaming.ts';

export interface QueueWorkerOptions {
  sqs: SQSClient;
  queueUrl: string;
  resultsQueueUrl: string;
  /** the agent's name, reported in every result message */
  executor: string;
  /** operations run at once */
  concurrency: number;
  /** how long a received message stays invisible; a heartbeat renews it while the script runs */
  visibilityTimeoutSeconds: number;
  workRoot: string;
  log?: (line: string) => void;
  /** long-poll wait (default 20, SQS's maximum) */
  waitTimeSeconds?: number;
  /** how many finished (task, attempt) results are remembered for redeliveries (default 1000) */
  rememberResults?: number;
  /** how often a running operation's logs are sent, in ms (default 2000) */
  logFlushIntervalMs?: number;
}

/** SQS refuses a visibility timeout beyond 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
const MAX_BACKOFF_MS = 30_000;
const RESULT_SEND_TRIES = 3;

export class QueueWorker {
  readonly #opts: QueueWorkerOptions;
  readonly #sink: SqsResultSink;
  readonly #completed: CompletedTasks;
  readonly #log: (line: string) => void;
  readonly #active = new Set<Promise<void>>();
  readonly #running = new Set<string>();
  readonly #runAborts = new Set<AbortController>();
  #polling = false;
  #loop: Promise<void> | undefined;
  #receiveAbort: AbortController | undefined;
  readonly #sleepers = new Set<() => void>();

  constructor(opts: QueueWorkerOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new Error(`concurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    if (!(opts.visibilityTimeoutSeconds >= 1 && opts.visibilityTimeoutSeconds <= MAX_VISIBILITY_SECONDS)) {
      throw new Error(
        `visibilityTimeoutSeconds must be between 1 and ${MAX_VISIBILITY_SECONDS}, got ${opts.visibilityTimeoutSeconds}`,
      );
    }
    this.#opts = opts;
    this.#sink = new SqsResultSink(opts.sqs, opts.resultsQueueUrl);
    this.#completed = new CompletedTasks(opts.rememberResults ?? 1000);
    this.#log = opts.log ?? ((line) => console.log(line));
  }

  start(): void {
    if (this.#polling) return;
    this.#polling = true;
    this.#loop = this.#pollLoop();
  }

  /**
   * Stops polling and waits for running operations to finish and report. With `abandon`, running
   * scripts are killed instead and their messages made visible again for redelivery.
   */
  async stop(opts: { abandon?: boolean } = {}): Promise<void> {
    this.#polling = false;
    this.#receiveAbort?.abort();
    for (const wake of [...this.#sleepers]) wake();
    if (opts.abandon) {
      for (const abort of this.#runAborts) abort.abort('the agent is stopping');
    }
    await this.#loop;
    await Promise.all(this.#active);
  }

  async #pollLoop(): Promise<void> {
    const { sqs, queueUrl, concurrency, visibilityTimeoutSeconds } = this.#opts;
    let backoffMs = 0;
    while (this.#polling) {
      const free = concurrency - this.#active.size;
      if (free <= 0) {
        await Promise.race(this.#active);
        continue;
      }
      let messages: Message[];
      try {
        this.#receiveAbort = new AbortController();
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, free),
            WaitTimeSeconds: this.#opts.waitTimeSeconds ?? 20,
            VisibilityTimeout: visibilityTimeoutSeconds,
          }),
          { abortSignal: this.#receiveAbort.signal },
        );
        messages = out.Messages ?? [];
        backoffMs = 0;
      } catch (err) {
        if (!this.#polling) break;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? 1000 : backoffMs * 2);
        this.#log(`receive from ${queueUrl} failed (${describe(err)}); retrying in ${backoffMs / 1000} s`);
        await this.#sleep(backoffMs * (0.75 + Math.random() * 0.5));
        continue;
      }
      for (const message of messages) {
        const handling = this.#handle(message).catch((err: unknown) => {
          this.#log(
            `message ${message.MessageId}: unexpected error ${describe(err)}; it will be redelivered`,
          );
        });
        this.#active.add(handling);
        void handling.finally(() => this.#active.delete(handling));
      }
    }
  }

  async #handle(message: Message): Promise<void> {
    const receipt = message.ReceiptHandle;
    if (!receipt) return;
    const parsed = parseTask(message.Body);
    if (typeof parsed === 'string') {
      // not deleted: after maxReceiveCount deliveries SQS moves it to the dead-letter queue
      this.#log(
        `message ${message.MessageId} is not a valid task (${parsed}); left for the dead-letter queue`,
      );
      return;
    }
    const task = parsed;
    const key = CompletedTasks.key(task);
    const label = `task ${task.task_id} attempt ${task.attempt} (${task.operation})`;

    const done = this.#completed.get(key);
    if (done) {
      this.#log(`${label} was already run here: re-sending its result`);
      await this.#report(label, receipt, done);
      return;
    }
    if (this.#running.has(key)) {
      this.#log(`${label} is delivered again while it runs; the copy is left to reappear`);
      return;
    }
    const waitMs = task.not_before ? Date.parse(task.not_before) - Date.now() : 0;
    if (waitMs > 0) {
      const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(waitMs / 1000));
      await this.#changeVisibility(receipt, seconds, label);
      this.#log(`${label} may not start before ${task.not_before}: hidden for ${seconds} s`);
      return;
    }

    this.#running.add(key);
    const heartbeat = this.#startHeartbeat(receipt, label);
    try {
      try {
        await this.#sink.sendResult(startedMessage(task, this.#opts.executor));
      } catch (err) {
        this.#log(`${label}: cannot send \`started\` (${describe(err)}); not run, left for redelivery`);
        return;
      }
      this.#log(`${label} started`);
      const result = await this.#run(task);
      if (!result) {
        this.#log(`${label} abandoned: it will be redelivered`);
        await this.#changeVisibility(receipt, 0, label);
        return;
      }
      this.#completed.set(key, result);
      this.#log(
        `${label} ${result.outcome}${result.error ? `: ${result.error.message.split('\n')[0]}` : ''}`,
      );
      await this.#report(label, receipt, result);
    } finally {
      clearInterval(heartbeat);
      this.#running.delete(key);
    }
  }

  /** Runs the operation, streaming its logs in order; undefined when the run was abandoned. */
  async #run(task: TaskMessage): Promise<TaskResult | undefined> {
    const abort = new AbortController();
    this.#runAborts.add(abort);
    try {
      const result = await runStreaming(task, {
        executor: this.#opts.executor,
        workRoot: this.#opts.workRoot,
        sink: this.#sink,
        signal: abort.signal,
        ...(this.#opts.logFlushIntervalMs === undefined
          ? {}
          : { logFlushIntervalMs: this.#opts.logFlushIntervalMs }),
        onSendError: (err) =>
          this.#log(`task ${task.task_id}: cannot send logs (${describe(err)}); they go with the result`),
      });
      return abort.signal.aborted ? undefined : result;
    } finally {
      this.#runAborts.delete(abort);
    }
  }

  /** Sends the result, then deletes the message; a failed send leaves the message for redelivery. */
  async #report(label: string, receipt: string, result: TaskResult): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#sink.sendResult(result);
        break;
      } catch (err) {
        if (attempt >= RESULT_SEND_TRIES || !this.#polling) {
          this.#log(`${label}: cannot send the result (${describe(err)}); message kept for redelivery`);
          return;
        }
        await this.#sleep(500 * 2 ** attempt);
      }
    }
    try {
      await this.#opts.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.#opts.queueUrl, ReceiptHandle: receipt }),
      );
    } catch (err) {
      // the result is out; a redelivery re-sends it and the engine ignores the duplicate
      this.#log(`${label}: result sent but the message could not be deleted (${describe(err)})`);
    }
  }

  #startHeartbeat(receipt: string, label: string): NodeJS.Timeout {
    const seconds = this.#opts.visibilityTimeoutSeconds;
    return setInterval(
      () => void this.#changeVisibility(receipt, seconds, label),
      Math.max(1000, (seconds * 1000) / 3),
    );
  }

  async #changeVisibility(receipt: string, seconds: number, label: string): Promise<void> {
    try {
      await this.#opts.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#opts.queueUrl,
          ReceiptHandle: receipt,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      this.#log(`${label}: cannot change message visibility to ${seconds} s (${describe(err)})`);
    }
  }

  /** A pause that stop() cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
