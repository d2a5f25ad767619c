/**
 * The local stand-in for Lambda's SQS event source: long-polls the results queue and hands
 * SQS-shaped batches to the same Advance handler. Records the handler reports as failed are not
 * deleted, so SQS delivers them again after the visibility timeout, as on AWS.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { errorMessage } from '../core/errors.ts';
import type { BatchRecord, BatchResponse } from '../core/sqs-batch.ts';

export class EventSourcePoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly aborts = new Set<AbortController>();

  constructor(
    private readonly opts: {
      sqs: SQSClient;
      queueUrl: string;
      handler: (records: BatchRecord[]) => Promise<BatchResponse>;
      log: (message: string) => void;
      batchSize?: number;
      waitTimeSeconds?: number;
      /** batches handled at once, as Lambda runs several invocations of an event source (default 4) */
      concurrency?: number;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.opts.concurrency ?? 4 }, () => this.run());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const a of this.aborts) a.abort();
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const abort = new AbortController();
      this.aborts.add(abort);
      try {
        const out = await this.opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.opts.queueUrl,
            MaxNumberOfMessages: this.opts.batchSize ?? 10,
            WaitTimeSeconds: this.opts.waitTimeSeconds ?? 20,
          }),
          { abortSignal: abort.signal },
        );
        this.aborts.delete(abort);
        failures = 0;
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        const records = messages.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' }));
        const { batchItemFailures } = await this.opts.handler(records);
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length) {
          await this.opts.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.opts.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      } catch (err) {
        this.aborts.delete(abort);
        if (!this.running) return;
        failures++;
        this.opts.log(`results poller: ${errorMessage(err)}; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
      }
    }
  }
}
