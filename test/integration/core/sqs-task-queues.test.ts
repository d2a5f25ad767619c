/**
 * SqsTaskQueues against fauxqs: sends to `central` and to agent queues it creates on first use.
 * One emulator for the file; each test uses its own queue prefix.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../../core/aws/clients.ts';
import { agentQueueName, SqsTaskQueues } from '../../../core/aws/sqs-task-queues.ts';
import { BadRequestError } from '../../../core/errors.ts';
import type { TaskMessage } from '../../../core/messages.ts';
import { type Emulator, startSqsS3 } from '../../../local/emulators.ts';
import { uid } from './fixtures.ts';

let emulator: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emulator = await startSqsS3();
  sqs = new SQSClient(clientConfig({ endpoint: emulator.endpoint }));
});

afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

function message(taskId = uid('task')): TaskMessage {
  return {
    v: 1,
    execution_id: 'ex-1',
    task_id: taskId,
    attempt: 0,
    deployment_id: 'dep-1',
    blueprint_id: 'bp-1',
    workflow_id: 'install',
    operation: 'cloudify.interfaces.lifecycle.create',
    implementation: 'scripts/create.sh',
    script: 'echo hello',
    inputs: { port: 8080 },
    timeout: null,
    self: { node_id: 'web', node_instance_id: 'web_1', node_properties: {}, runtime_properties: {} },
    sent_at: '2024-01-01T00:00:00.000Z',
  };
}

async function createQueue(name: string): Promise<{ url: string; arn: string }> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = out.QueueUrl;
  if (!url) throw new Error(`no URL for queue ${name}`);
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attrs.Attributes?.QueueArn;
  if (!arn) throw new Error(`no ARN for queue ${name}`);
  return { url, arn };
}

/** A fresh prefix with its central queue and agents DLQ, as the stack would create them. */
async function setup() {
  const prefix = uid('stratus');
  const central = await createQueue(`${prefix}-central`);
  const dlq = await createQueue(`${prefix}-agents-dlq`);
  return { prefix, central, dlq };
}

/** The names of the SQS commands a client sends, observed on its middleware stack. */
function recordCommands(client: SQSClient): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      names.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return names;
}

async function receiveBodies(url: string): Promise<unknown[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? 'null'));
}

/** fauxqs's own inspection endpoint: every message of a queue, delayed ones included. */
async function inspect(queueName: string) {
  const res = await fetch(`${emulator.endpoint}/_fauxqs/queues/${queueName}`);
  if (!res.ok) throw new Error(`inspecting ${queueName}: HTTP ${res.status}`);
  return (await res.json()) as {
    messages: { delayed: { body: string; sentTimestamp: number; delayUntil?: number }[] };
  };
}

async function queueNames(prefix: string): Promise<string[]> {
  const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  return (out.QueueUrls ?? []).map((u) => u.split('/').pop() ?? u).sort();
}

describe('SqsTaskQueues', () => {
  it('sends a task to the central queue as its JSON message', async () => {
    const { prefix, central, dlq } = await setup();
    const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url, agentsDlqArn: dlq.arn });
    const msg = message();
    await queues.sendTask('central', msg);
    expect(await receiveBodies(central.url)).toEqual([msg]);
  });

  it('creates an agent queue on first use, redriving to the agents DLQ, and delivers to it', async () => {
    const { prefix, central, dlq } = await setup();
    const queues = new SqsTaskQueues({
      sqs,
      prefix,
      centralQueueUrl: central.url,
      agentsDlqArn: dlq.arn,
      maxReceiveCount: 3,
    });
    const msg = message();
    await queues.sendTask('agent-web_1', msg);

    const name = `${prefix}-agent-web_1`;
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    if (!url) throw new Error(`queue ${name} was not created`);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: 3,
    });
    expect(await receiveBodies(url)).toEqual([msg]);
    expect(await receiveBodies(central.url)).toEqual([]);
  });

  it('resolves an agent queue once and then sends from the cached URL', async () => {
    const { prefix, central, dlq } = await setup();
    const client = new SQSClient(clientConfig({ endpoint: emulator.endpoint }));
    try {
      const commands = recordCommands(client);
      const queues = new SqsTaskQueues({
        sqs: client,
        prefix,
        centralQueueUrl: central.url,
        agentsDlqArn: dlq.arn,
      });
      await Promise.all([queues.sendTask('agent-db', message()), queues.sendTask('agent-db', message())]);
      await queues.sendTask('agent-db', message());
      expect(commands.filter((c) => c !== 'SendMessageCommand')).toEqual([
        'GetQueueUrlCommand',
        'CreateQueueCommand',
      ]);
      expect(commands.filter((c) => c === 'SendMessageCommand')).toHaveLength(3);
      expect(await queues.queueUrl('agent-db')).toBe(await queues.queueUrl('agent-db'));
    } finally {
      client.destroy();
    }
  });

  it('reuses an agent queue that another instance created, without creating it again', async () => {
    const { prefix, central, dlq } = await setup();
    const first = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url, agentsDlqArn: dlq.arn });
    const firstUrl = await first.queueUrl('agent-web');

    const client = new SQSClient(clientConfig({ endpoint: emulator.endpoint }));
    try {
      const commands = recordCommands(client);
      const second = new SqsTaskQueues({
        sqs: client,
        prefix,
        centralQueueUrl: central.url,
        agentsDlqArn: dlq.arn,
      });
      const msg = message();
      await second.sendTask('agent-web', msg);
      expect(await second.queueUrl('agent-web')).toBe(firstUrl);
      expect(commands).not.toContain('CreateQueueCommand');
      expect(await receiveBodies(firstUrl)).toEqual([msg]);
    } finally {
      client.destroy();
    }
    expect(await queueNames(prefix)).toEqual(
      [`${prefix}-agent-web`, `${prefix}-agents-dlq`, `${prefix}-central`].sort(),
    );
  });

  it.each([
    ['a space', 'agent-web server'],
    ['a slash', 'agent-web/1'],
    ['a dot', 'agent-web.1'],
    ['no name', 'agent-'],
    ['49 characters', `agent-${'x'.repeat(49)}`],
  ])(
    'refuses an agent name with %s, naming the allowed characters, and creates no queue',
    async (_, target) => {
      const { prefix, central, dlq } = await setup();
      const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url, agentsDlqArn: dlq.arn });
      const err = await queues.sendTask(target, message()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as Error).message).toContain(`\`${target.slice('agent-'.length)}\``);
      expect((err as Error).message).toContain("letters, digits, '-' or '_'");
      expect(await queueNames(prefix)).toEqual([`${prefix}-agents-dlq`, `${prefix}-central`]);
    },
  );

  it('accepts an agent name of 48 characters', () => {
    expect(agentQueueName('p', 'x'.repeat(48))).toBe(`p-agent-${'x'.repeat(48)}`);
  });

  it('refuses a target that is neither central nor agent-<name>', async () => {
    const { prefix, central } = await setup();
    const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url });
    const err = await queues.sendTask('elsewhere', message()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toContain('`elsewhere`');
  });

  it('caps the delay at SQS’s 900 seconds and rounds fractions up', async () => {
    const { prefix, central } = await setup();
    const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url });
    const long = message('long');
    const short = message('short');
    await queues.sendTask('central', long, 3600);
    await queues.sendTask('central', short, 1.2);
    const delayed = (await inspect(`${prefix}-central`)).messages.delayed;
    const delayOf = (taskId: string) => {
      const m = delayed.find((d) => (JSON.parse(d.body) as TaskMessage).task_id === taskId);
      if (!m?.delayUntil) throw new Error(`message ${taskId} is not delayed`);
      return (m.delayUntil - m.sentTimestamp) / 1000;
    };
    expect(delayOf('long')).toBe(900);
    expect(delayOf('short')).toBe(2);
  });

  it('sends a task with a negative delay at once', async () => {
    const { prefix, central } = await setup();
    const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url });
    const msg = message();
    await queues.sendTask('central', msg, -5);
    expect(await receiveBodies(central.url)).toEqual([msg]);
  });

  it('creates agent queues without a redrive policy when no DLQ is configured', async () => {
    const { prefix, central } = await setup();
    const queues = new SqsTaskQueues({ sqs, prefix, centralQueueUrl: central.url });
    const url = await queues.queueUrl('agent-solo');
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes?.RedrivePolicy).toBeUndefined();
  });
});
