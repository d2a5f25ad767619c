/** A fauxqs server with SDK clients for the agent's integration tests. */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { RESULT_MESSAGE, type ResultMessage, type TaskMessage } from '../../../core/messages.ts';

export interface Harness {
  server: FauxqsServer;
  endpoint: string;
  /** the test's own client, never given a fault */
  sqs: SQSClient;
  close(): Promise<void>;
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

export async function startHarness(): Promise<Harness> {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = sqsClient(endpoint);
  return {
    server,
    endpoint,
    sqs,
    close: async () => {
      sqs.destroy();
      await server.stop();
    },
  };
}

let counter = 0;
export async function createQueue(sqs: SQSClient, base: string): Promise<{ name: string; url: string }> {
  const name = `${base}-${process.pid}-${++counter}`;
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { name, url: out.QueueUrl! };
}

export async function sendTask(sqs: SQSClient, queueUrl: string, task: TaskMessage | string): Promise<void> {
  const body = typeof task === 'string' ? task : JSON.stringify(task);
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/** Messages still in the queue, visible or not. */
export function queueDepth(server: FauxqsServer, name: string): number {
  const q = server.inspectQueue(name);
  if (!q) throw new Error(`no queue ${name}`);
  return q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length;
}

/** Polls `check` until it holds (bounded: gives up with `what` in the error). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, maxMs = 30_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > maxMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads (and deletes) result messages from the results queue, validated, until `done` says so. */
export class ResultReader {
  readonly messages: ResultMessage[] = [];
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async until(
    what: string,
    done: (msgs: ResultMessage[]) => boolean,
    maxPolls = 40,
  ): Promise<ResultMessage[]> {
    for (let i = 0; !done(this.messages); i++) {
      if (i >= maxPolls)
        throw new Error(
          `gave up waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.kind))}`,
        );
      const out = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of out.Messages ?? []) {
        this.messages.push(RESULT_MESSAGE.parse(JSON.parse(m.Body!)));
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    return this.messages;
  }

  results(taskId: string) {
    return this.messages.filter((m) => m.kind === 'result' && m.task_id === taskId);
  }
}
