/**
 * The fixed queues: `central` (tasks the central executor Lambda runs), `results` (every executor's
 * results, consumed by Advance), each with its own dead-letter queue, and the shared dead-letter queue
 * that the per-agent queues (`<prefix>-agent-<name>`, created by the dispatcher at run time) redrive to.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StratusNames } from '../naming.ts';

/** Deliveries before a message goes to its dead-letter queue (a poison message must not loop forever). */
export const MAX_RECEIVE_COUNT = 5;
const DLQ_RETENTION = Duration.days(14);

export interface StratusQueuesProps {
  names: StratusNames;
  /** at least the timeout of the Lambda consuming the queue, or the event source mapping is refused */
  centralVisibilityTimeout: Duration;
  resultsVisibilityTimeout: Duration;
}

export class StratusQueues extends Construct {
  readonly central: Queue;
  readonly centralDlq: Queue;
  readonly results: Queue;
  readonly resultsDlq: Queue;
  readonly agentsDlq: Queue;

  constructor(scope: Construct, id: string, props: StratusQueuesProps) {
    super(scope, id);
    const { names } = props;
    const dlq = (cid: string, queueName: string): Queue =>
      new Queue(this, cid, {
        queueName,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DLQ_RETENTION,
      });

    this.centralDlq = dlq('CentralDlq', names.centralDlq);
    this.resultsDlq = dlq('ResultsDlq', names.resultsDlq);
    this.agentsDlq = dlq('AgentsDlq', names.agentsDlq);

    this.central = new Queue(this, 'Central', {
      queueName: names.centralQueue,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.centralVisibilityTimeout,
      deadLetterQueue: { queue: this.centralDlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.results = new Queue(this, 'Results', {
      queueName: names.resultsQueue,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.resultsVisibilityTimeout,
      deadLetterQueue: { queue: this.resultsDlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
