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

export interface ApiEnv {
  tableName: string;
  bucketName: string;
  stateMachineArn: string;
}

/** Reads the Lambda's configuration; throws naming every missing or wrong variable. */
export function readApiEnv(env: NodeJS.ProcessEnv): ApiEnv {
  const problems: string[] = [];
  const need = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const cfg = {
    tableName: need('TABLE_NAME'),
    bucketName: need('BUCKET_NAME'),
    stateMachineArn: need('STATE_MACHINE_ARN'),
  };
  // Only IAM here: the token mode is for the local stack; on AWS API Gateway authorizes every request.
  if (env.AUTH_MODE !== 'iam')
    problems.push(`AUTH_MODE must be \`iam\` for the Lambda API, got \`${env.AUTH_MODE ?? ''}\``);
  if (problems.length > 0) throw new Error(`API Lambda configuration: ${problems.join('; ')}`);
  return cfg;
}

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
