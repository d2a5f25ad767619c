import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCentralHandler } from '../../../functions/central/lambda.ts';
import { makeTask } from '../../unit/agent/make-task.ts';
import {
  createQueue,
  type Harness,
  queueDepth,
  ResultReader,
  sendTask,
  sqsClient,
  startHarness,
} from './sqs-harness.ts';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'stratus-central-it-'));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** What Lambda's SQS event source would deliver: the messages received from the real queue. */
async function receiveEvent(queue: { url: string }, count: number): Promise<SQSEvent> {
  const attrs = await h.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attrs.Attributes!.QueueArn!;
  const records: SQSRecord[] = [];
  for (let i = 0; records.length < count && i < 20; i++) {
    const out = await h.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    for (const m of out.Messages ?? []) {
      records.push({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody!,
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: 'us-east-1',
      });
    }
  }
  if (records.length < count) throw new Error(`received ${records.length} of ${count} messages`);
  return { Records: records };
}

async function setup(failResults = false) {
  const central = await createQueue(h.sqs, 'central');
  const results = await createQueue(h.sqs, 'results');
  const sqs = sqsClient(h.endpoint);
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { QueueUrl?: string; MessageBody?: string };
      if (failResults && input.QueueUrl === results.url && input.MessageBody?.includes('"kind":"result"')) {
        throw new Error('injected fault: results queue unreachable');
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  const lines: string[] = [];
  const handler = createCentralHandler({
    sqs,
    resultsQueueUrl: results.url,
    workRoot: join(dir, 'work'),
    log: (l) => lines.push(l),
  });
  return { central, handler, lines, reader: new ResultReader(h.sqs, results.url) };
}

describe('central executor handler against fauxqs', { timeout: 60_000 }, () => {
  it('runs each record as executor `central` and reports no failures when every result was sent', async () => {
    const s = await setup();
    const a = makeTask('ctx instance runtime-properties done @true');
    const b = makeTask('exit 4');
    await sendTask(h.sqs, s.central.url, a);
    await sendTask(h.sqs, s.central.url, b);

    const response = await s.handler(await receiveEvent(s.central, 2));
    expect(response).toEqual({ batchItemFailures: [] });
    await s.reader.until(
      'both results',
      () => s.reader.results(a.task_id).length + s.reader.results(b.task_id).length === 2,
    );
    expect(s.reader.results(a.task_id)[0]).toMatchObject({
      executor: 'central',
      outcome: 'succeeded',
      runtime_properties: { web_a1b2c3: { set: { done: true }, unset: [] } },
    });
    expect(s.reader.results(b.task_id)[0]).toMatchObject({
      executor: 'central',
      outcome: 'failed_recoverable',
    });
    expect(s.reader.messages.filter((m) => m.kind === 'started')).toHaveLength(2);
  });

  it('reports a record whose result could not be sent, and a malformed one, as batch item failures', async () => {
    const s = await setup(true);
    const task = makeTask('true');
    await sendTask(h.sqs, s.central.url, task);
    await sendTask(h.sqs, s.central.url, '{"v":1}');
    const event = await receiveEvent(s.central, 2);

    const response = await s.handler(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
    expect(s.lines.some((l) => l.includes('cannot send to the results queue'))).toBe(true);
    expect(s.lines.some((l) => l.includes('is not a valid task'))).toBe(true);
  });

  it('hides a record whose not_before is in the future and reports it failed so Lambda keeps it', async () => {
    const s = await setup();
    const task = makeTask('true', { not_before: new Date(Date.now() + 3600_000).toISOString() });
    await sendTask(h.sqs, s.central.url, task);
    const event = await receiveEvent(s.central, 1);

    const response = await s.handler(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    const inflight = h.server.inspectQueue(s.central.name)!.messages.inflight;
    expect(inflight[0]!.visibilityDeadline - Date.now()).toBeGreaterThan(3500_000);
    expect(queueDepth(h.server, s.central.name)).toBe(1);
  });
});
