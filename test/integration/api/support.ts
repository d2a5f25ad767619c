/**
 * Route-test harness: the real DynamoStore on dynalite (a fresh table per test), blueprint files in
 * S3 on fauxqs (a fresh bucket per test), and an Orchestrator that records what it was asked to start.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Hono } from 'hono';
import { clientConfig } from '../../../core/aws/clients.ts';
import { DynamoStore } from '../../../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../../../core/aws/s3-blob-store.ts';
import { ensureTable } from '../../../core/aws/table-schema.ts';
import type { Orchestrator } from '../../../core/ports.ts';
import { type ApiDeps, createApp } from '../../../functions/api/app.ts';
import { startDynalite, startSqsS3 } from '../../../local/emulators.ts';

export const TOKEN = 'test-token-0123456789';
export const BASE = '/api/v3.1';

/** The real S3 adapter, plus a listing of what the test stored. */
export class TestBlobs extends S3BlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly name: string,
  ) {
    super(client, name);
  }
  async keys(): Promise<string[]> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.name }));
    return (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])).sort();
  }
}

export class RecordingOrchestrator implements Orchestrator {
  readonly started: string[] = [];
  failNextStart: Error | null = null;
  async start(executionId: string): Promise<void> {
    if (this.failNextStart) {
      const err = this.failNextStart;
      this.failNextStart = null;
      throw err;
    }
    this.started.push(executionId);
  }
  async completeGraph(): Promise<void> {}
  async failGraph(): Promise<void> {}
}

export interface Harness {
  app: Hono;
  store: DynamoStore;
  blobs: TestBlobs;
  orchestrator: RecordingOrchestrator;
  deps: ApiDeps;
  /** an authenticated request against the API */
  call(
    method: string,
    path: string,
    init?: { body?: string | Uint8Array | FormData; headers?: Record<string, string> },
  ): Promise<Response>;
  json(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

let emulator: { endpoint: string; stop(): Promise<void> } | null = null;
let s3Emulator: { endpoint: string; stop(): Promise<void> } | null = null;
let client: DynamoDBClient | null = null;
let s3: S3Client | null = null;

export async function startEmulator(): Promise<void> {
  emulator = await startDynalite();
  s3Emulator = await startSqsS3();
  s3 = new S3Client({ ...clientConfig({ endpoint: s3Emulator.endpoint }), forcePathStyle: true });
  client = new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function stopEmulator(): Promise<void> {
  client?.destroy();
  s3?.destroy();
  await emulator?.stop();
  await s3Emulator?.stop();
}

export async function harness(overrides: Partial<ApiDeps> = {}): Promise<Harness> {
  if (!client || !s3) throw new Error('startEmulator() first (beforeAll)');
  const table = `t-${randomUUID()}`;
  await ensureTable(client, table);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoStore(doc, table);
  const bucket = `b-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const blobs = new TestBlobs(s3, bucket);
  const orchestrator = new RecordingOrchestrator();
  let tick = 0;
  const deps: ApiDeps = {
    store,
    blobs,
    orchestrator,
    auth: { mode: 'token', token: TOKEN },
    // strictly increasing times keep "oldest first" orders deterministic
    clock: () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)),
    ...overrides,
  };
  const app = createApp(deps);
  const call: Harness['call'] = async (method, path, init = {}) =>
    app.request(`${BASE}${path}`, {
      method,
      ...(init.body === undefined ? {} : { body: init.body }),
      headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
    });
  const json: Harness['json'] = async (method, path, body) => {
    const res = await call(method, path, {
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return { app, store, blobs, orchestrator, deps, call, json };
}

const HELLO_DIR = join(import.meta.dirname, '../../../examples/hello-world');

/** examples/hello-world as path → bytes. */
export function helloWorldFiles(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(HELLO_DIR, full).split('\\').join('/'), new Uint8Array(readFileSync(full)));
    }
  };
  walk(HELLO_DIR);
  return out;
}

export function helloWorldYaml(): string {
  return readFileSync(join(HELLO_DIR, 'blueprint.yaml'), 'utf8');
}

/** Uploads a single-document blueprint as YAML and checks it was accepted. */
export async function uploadYaml(h: Harness, id: string, yaml: string): Promise<void> {
  const res = await h.call('PUT', `/blueprints/${id}`, {
    body: yaml,
    headers: { 'content-type': 'application/yaml' },
  });
  if (res.status !== 201) throw new Error(`upload of ${id} failed: ${res.status} ${await res.text()}`);
}

/** A blueprint without scripts, with inputs of every kind deployments must check. */
export const INPUTS_BLUEPRINT = `tosca_definitions_version: cloudify_dsl_1_4
imports:
  - cloudify/types/types.yaml
inputs:
  port:
    type: integer
  name:
    type: string
    default: web
node_templates:
  host:
    type: cloudify.nodes.Compute
    properties:
      ip: 10.0.0.1
outputs:
  port:
    value: { get_input: port }
`;
