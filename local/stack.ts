/**
 * The embedded local stack: the real handlers wired to real emulators in one process.
 * dynalite (DynamoDB) + fauxqs (SQS, S3) + aws-local-stepfunctions (the CDK state machine definition)
 * + the HTTP API on @hono/node-server + a results poller (the Lambda event source) + the central
 * executor + one host agent per name. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { QueueWorker } from '../agent/poller.ts';
import { clientConfig } from '../core/aws/clients.ts';
import { DynamoStore } from '../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../core/aws/s3-blob-store.ts';
import { SqsTaskQueues } from '../core/aws/sqs-task-queues.ts';
import { ensureTable } from '../core/aws/table-schema.ts';
import { TERMINAL_EXECUTION_STATUSES } from '../core/model.ts';
import type { BlobStore } from '../core/ports.ts';
import { createApp } from '../functions/api/app.ts';
import { CLOUDIFY_DEFAULTS, type EngineDeps } from '../functions/dispatch/deps.ts';
import { engineHandlers } from '../functions/dispatch/handlers.ts';
import { type Emulator, startDynalite, startSqsS3 } from './emulators.ts';
import { MirroredBlobStore } from './mirrored-blob-store.ts';
import { LocalOrchestrator } from './orchestrator.ts';
import { EventSourcePoller } from './results-poller.ts';

export const TABLE = 'stratus';
export const PREFIX = 'stratus';
export const BUCKET = 'stratus-blueprints';

export interface LocalStackOptions {
  /** 0 picks a free port */
  port: number;
  /** null: everything in memory, gone at exit */
  dataDir: string | null;
  token?: string;
  /** host agents to run in-process (default: one named `local`) */
  agents?: string[];
  /** long-poll wait of the in-process pollers (seconds); tests use short waits for quick shutdown */
  pollWaitSeconds?: number;
  /** retries for operations that set none (Cloudify's defaults unless given) */
  defaults?: { task_retries: number; task_retry_interval: number };
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  token: string;
  deps: EngineDeps;
  orchestrator: LocalOrchestrator;
  sqs: SQSClient;
  queueUrls: { central: string; results: string; agentsDlq: string };
  /** counts of AWS requests by service since start (for the benchmark) */
  requests: Record<'dynamodb' | 'sqs' | 's3', number>;
  stop(): Promise<void>;
}

/** Counts every request a client sends (middleware), so the benchmark can report requests per task. */
function countRequests(client: { middlewareStack: { add: (...a: never[]) => void } }, inc: () => void) {
  (client.middlewareStack as unknown as { add: (mw: unknown, o: unknown) => void }).add(
    (next: (a: unknown) => Promise<unknown>) => (args: unknown) => {
      inc();
      return next(args);
    },
    { step: 'initialize', name: 'stratusRequestCounter' },
  );
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const wait = opts.pollWaitSeconds ?? 20;
  const emulators: Emulator[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    const dynamo = await startDynalite(opts.dataDir ? { dataDir: join(opts.dataDir, 'dynamodb') } : {});
    emulators.push(dynamo);
    const sqsS3 = await startSqsS3();
    emulators.push(sqsS3);

    const requests = { dynamodb: 0, sqs: 0, s3: 0 };
    const ddb = new DynamoDBClient(clientConfig({ endpoint: dynamo.endpoint }));
    const sqs = new SQSClient(clientConfig({ endpoint: sqsS3.endpoint }));
    const s3 = new S3Client({ ...clientConfig({ endpoint: sqsS3.endpoint }), forcePathStyle: true });
    await ensureTable(ddb, TABLE);
    countRequests(ddb as never, () => requests.dynamodb++);
    countRequests(sqs as never, () => requests.sqs++);
    countRequests(s3 as never, () => requests.s3++);

    const queueUrls = await createQueues(sqs);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    let blobs: BlobStore = new S3BlobStore(s3, BUCKET);
    if (opts.dataDir) {
      const mirrored = new MirroredBlobStore(blobs, join(opts.dataDir, 'blobs'));
      await mirrored.restore();
      blobs = mirrored;
    }

    const store = new DynamoStore(
      DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
      TABLE,
    );
    const queues = new SqsTaskQueues({
      sqs,
      prefix: PREFIX,
      centralQueueUrl: queueUrls.central,
      agentsDlqArn: await queueArn(sqs, queueUrls.agentsDlq),
    });
    const orchestrator = new LocalOrchestrator((m, f) => log(`[engine] ${m} ${f ? JSON.stringify(f) : ''}`));
    const deps: EngineDeps = {
      store,
      queues,
      orchestrator,
      blobs,
      now: () => new Date(),
      defaults: opts.defaults ?? CLOUDIFY_DEFAULTS,
      log: (level, message, fields) => {
        if (level !== 'info') log(`[engine] ${level}: ${message} ${fields ? JSON.stringify(fields) : ''}`);
      },
    };
    const handlers = engineHandlers(deps);
    // after a restart the in-memory queues are empty: executions that were running get their
    // in-flight tasks sent again (at-least-once, as after an agent crash)
    const recovering = new Set<string>();
    orchestrator.attach({
      dispatch: (p) => {
        const resendInFlight = recovering.delete(p.executionId);
        return handlers.dispatch(p, { resendInFlight });
      },
      finalize: (p) => handlers.finalize(p),
    });
    stops.push(() => orchestrator.stop());

    const poller = new EventSourcePoller({
      sqs,
      queueUrl: queueUrls.results,
      handler: (records) => handlers.advance(records),
      log,
      waitTimeSeconds: wait,
    });
    poller.start();
    stops.push(() => poller.stop());

    const workRoot = opts.dataDir ? join(opts.dataDir, 'work') : join(tmpdir(), 'stratus-work');
    mkdirSync(workRoot, { recursive: true });
    const workers = [
      { name: 'central', url: queueUrls.central },
      ...(await Promise.all(
        (opts.agents ?? ['local']).map(async (name) => ({
          name,
          url: await queues.queueUrl(`agent-${name}`),
        })),
      )),
    ].map(
      (w) =>
        new QueueWorker({
          sqs,
          queueUrl: w.url,
          resultsQueueUrl: queueUrls.results,
          executor: w.name,
          concurrency: 8,
          visibilityTimeoutSeconds: 60,
          workRoot,
          waitTimeSeconds: wait,
          log: (line) => log(`[${w.name}] ${line}`),
        }),
    );
    for (const w of workers) {
      w.start();
      stops.push(() => w.stop({ abandon: true }));
    }

    const app = createApp({ store, blobs, orchestrator, auth: { mode: 'token', token } });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: opts.port, hostname: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    const { port } = server.address() as AddressInfo;

    // resume what a previous run of the stack left running, and finish what it left half-finalized
    // (an ended execution still holding its deployment would block the deployment's queue forever)
    for (const e of await store.listExecutions({ status: ['pending', 'started'] })) {
      if (e.status === 'started') recovering.add(e.id);
      await orchestrator.start(e.id);
    }
    for (const d of await store.listDeployments()) {
      const holder = d.active_execution_id ? await store.getExecution(d.active_execution_id) : null;
      if (holder && TERMINAL_EXECUTION_STATUSES.includes(holder.status)) {
        await handlers.finalize({ executionId: holder.id, graph: null, error: null });
      }
    }

    return {
      apiUrl: `http://127.0.0.1:${port}/api/v3.1`,
      token,
      deps,
      orchestrator,
      sqs,
      queueUrls,
      requests,
      async stop() {
        // API first (no new work), then the pollers and workers, the engine, the emulators
        for (const stop of stops.reverse()) await stop().catch(() => {});
        for (const e of emulators.reverse()) await e.stop().catch(() => {});
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    for (const e of emulators.reverse()) await e.stop().catch(() => {});
    throw err;
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no ARN for queue ${url}`);
  return arn;
}

/** The stack's queues, each with its DLQ, as the CDK stack declares them. */
async function createQueues(sqs: SQSClient) {
  const create = async (name: string, attributes: Record<string, string> = {}) => {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`no URL for queue ${name}`);
    return out.QueueUrl;
  };
  const withDlq = async (name: string, visibility: number) => {
    const dlq = await create(`${PREFIX}-${name}-dlq`);
    return create(`${PREFIX}-${name}`, {
      VisibilityTimeout: String(visibility),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, dlq), maxReceiveCount: 5 }),
    });
  };
  return {
    central: await withDlq('central', 60),
    // short: a result whose handling failed is retried soon
    results: await withDlq('results', 10),
    agentsDlq: await create(`${PREFIX}-agents-dlq`),
  };
}
