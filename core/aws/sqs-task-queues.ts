/**
 * Task queues on SQS. `central` is created by the stack; `agent-<name>` queues are created on first
 * use (agents come and go; the stack cannot know them), each redriving to the shared agents DLQ.
 */
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BadRequestError } from '../errors.ts';
import type { TaskMessage } from '../messages.ts';
import type { TaskQueues } from '../ports.ts';
import { sqsBody } from '../sqs-body.ts';

/** SQS allows 80 characters in a queue name; the prefix takes some. */
const AGENT_NAME = /^[A-Za-z0-9_-]{1,48}$/;
/** SQS's largest per-message delay. Longer waits travel as `not_before` in the message. */
export const MAX_SQS_DELAY_SECONDS = 900;

export interface SqsTaskQueuesOptions {
  sqs: SQSClient;
  /** queue names are `<prefix>-central`, `<prefix>-agent-<name>` */
  prefix: string;
  centralQueueUrl: string;
  /** redrive target for agent queues created here */
  agentsDlqArn?: string;
  /** a message seen this many times without being deleted goes to the DLQ */
  maxReceiveCount?: number;
}

export function agentQueueName(prefix: string, agentName: string): string {
  if (!AGENT_NAME.test(agentName)) {
    throw new BadRequestError(
      `agent name \`${agentName}\` is not valid: use 1-48 letters, digits, '-' or '_' (it names an SQS queue)`,
    );
  }
  return `${prefix}-agent-${agentName}`;
}

export class SqsTaskQueues implements TaskQueues {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(private readonly opts: SqsTaskQueuesOptions) {
    this.urls.set('central', Promise.resolve(opts.centralQueueUrl));
  }

  async sendTask(target: string, msg: TaskMessage, delaySeconds = 0): Promise<void> {
    const url = await this.queueUrl(target);
    await this.opts.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: sqsBody(msg),
        DelaySeconds: Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(delaySeconds))),
      }),
    );
  }

  /** Resolves (and creates on first use) a target's queue; cached for the life of the process. */
  queueUrl(target: string): Promise<string> {
    let url = this.urls.get(target);
    if (!url) {
      url = this.resolve(target);
      url.catch(() => this.urls.delete(target));
      this.urls.set(target, url);
    }
    return url;
  }

  private async resolve(target: string): Promise<string> {
    if (!target.startsWith('agent-')) {
      throw new BadRequestError(
        `unknown task target \`${target}\`: expected \`central\` or \`agent-<name>\``,
      );
    }
    const name = agentQueueName(this.opts.prefix, target.slice('agent-'.length));
    try {
      const out = await this.opts.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      if (out.QueueUrl) return out.QueueUrl;
    } catch (err) {
      if (!(err instanceof QueueDoesNotExist) && (err as Error).name !== 'QueueDoesNotExist') throw err;
    }
    const attributes: Record<string, string> = {
      MessageRetentionPeriod: String(14 * 24 * 3600),
      VisibilityTimeout: '60',
    };
    if (this.opts.agentsDlqArn) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: this.opts.agentsDlqArn,
        maxReceiveCount: this.opts.maxReceiveCount ?? 5,
      });
    }
    // CreateQueue is idempotent for equal attributes: two dispatchers racing get the same queue
    const out = await this.opts.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`);
    return out.QueueUrl;
  }
}
