/**
 * The API on AWS Lambda behind API Gateway (HTTP API, IAM authorizer). Clients are created once per
 * container at module scope; the environment is read and checked once, naming what is missing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handle } from 'hono/aws-lambda';
import { DynamoStore } from '../../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../../core/aws/s3-blob-store.ts';
import { SfnOrchestrator } from '../../core/aws/sfn-orchestrator.ts';
import { createApp } from './app.ts';
import { readApiEnv } from './env.ts';

const env = readApiEnv(process.env);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

const app = createApp({
  store: new DynamoStore(doc, env.tableName),
  blobs: new S3BlobStore(new S3Client({}), env.bucketName),
  orchestrator: new SfnOrchestrator(new SFNClient({}), env.stateMachineArn),
  auth: { mode: 'iam' },
});

export const handler = handle(app);
