/** Lambda entry points: Dispatch, Advance (SQS event source on the results queue) and Finalize. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoStore } from '../../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../../core/aws/s3-blob-store.ts';
import { SfnOrchestrator } from '../../core/aws/sfn-orchestrator.ts';
import { SqsTaskQueues } from '../../core/aws/sqs-task-queues.ts';
import { requireEnv } from '../../core/env.ts';
import type { DispatchPayload, FinalizePayload } from '../../core/state-machine.ts';
import { CLOUDIFY_DEFAULTS } from './deps.ts';
import { engineHandlers } from './handlers.ts';

const env = requireEnv(['TABLE_NAME', 'BUCKET_NAME', 'CENTRAL_QUEUE_URL', 'QUEUE_PREFIX', 'AGENTS_DLQ_ARN']);
// only Finalize starts executions (the next queued one); the others never need the machine's ARN
const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
const sqs = new SQSClient({});
const handlers = engineHandlers({
  store: new DynamoStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    env.TABLE_NAME,
  ),
  queues: new SqsTaskQueues({
    sqs,
    prefix: env.QUEUE_PREFIX,
    centralQueueUrl: env.CENTRAL_QUEUE_URL,
    agentsDlqArn: env.AGENTS_DLQ_ARN,
  }),
  orchestrator: new SfnOrchestrator(new SFNClient({}), stateMachineArn),
  blobs: new S3BlobStore(new S3Client({}), env.BUCKET_NAME),
  now: () => new Date(),
  defaults: CLOUDIFY_DEFAULTS,
  // structured JSON lines for CloudWatch; never the task token or message bodies
  log: (level, message, fields) => console.log(JSON.stringify({ level, message, ...fields })),
});

// the state machine's `Payload` is the Lambda event
export const dispatch = (event: DispatchPayload) => handlers.dispatch(event);
export const finalize = (event: FinalizePayload) => handlers.finalize(event);
export const advance = (event: SQSEvent): Promise<SQSBatchResponse> => handlers.advance(event.Records);
