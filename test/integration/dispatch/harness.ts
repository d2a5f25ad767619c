/**
 * A real engine on real emulators (dynalite, fauxqs) for fault-injection tests. The test plays the
 * executor: it drains the agent queue and feeds results to Advance, and may wrap the store or the
 * queues to make one call fail, as a crash at that point would.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from '../../../core/aws/clients.ts';
import { DynamoStore } from '../../../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../../../core/aws/s3-blob-store.ts';
import { SqsTaskQueues } from '../../../core/aws/sqs-task-queues.ts';
import { ensureTable } from '../../../core/aws/table-schema.ts';
import { planDeployment } from '../../../core/deployment/index.ts';
import { parseBlueprint } from '../../../core/dsl/index.ts';
import {
  type ResultMessage,
  TASK_MESSAGE,
  type TaskMessage,
  type TaskResult,
} from '../../../core/messages.ts';
import type { Execution } from '../../../core/model.ts';
import type { Orchestrator, Store, TaskQueues } from '../../../core/ports.ts';
import { deploymentRecord } from '../../../core/services/deployments.ts';
import { executionRecord } from '../../../core/services/executions.ts';
import type { EngineDeps } from '../../../functions/dispatch/deps.ts';
import { type Emulator, startDynalite, startSqsS3 } from '../../../local/emulators.ts';

export interface Env {
  store: Store;
  queues: SqsTaskQueues;
  sqs: SQSClient;
  blobs: S3BlobStore;
  stop(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const emulators: Emulator[] = [await startDynalite(), await startSqsS3()];
  const [dynamo, sqsS3] = emulators as [Emulator, Emulator];
  const ddb = new DynamoDBClient(clientConfig({ endpoint: dynamo.endpoint }));
  await ensureTable(ddb, 'stratus');
  const sqs = new SQSClient(clientConfig({ endpoint: sqsS3.endpoint }));
  const s3 = new S3Client({ ...clientConfig({ endpoint: sqsS3.endpoint }), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'blobs' }));
  const central = await sqs.send(new CreateQueueCommand({ QueueName: 'stratus-central' }));
  return {
    store: new DynamoStore(
      DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
      'stratus',
    ),
    queues: new SqsTaskQueues({ sqs, prefix: 'stratus', centralQueueUrl: central.QueueUrl! }),
    sqs,
    blobs: new S3BlobStore(s3, 'blobs'),
    stop: async () => {
      for (const e of emulators) await e.stop();
    },
  };
}

/** Records what the engine tells Step Functions. */
export class RecordingOrchestrator implements Orchestrator {
  completed: string[] = [];
  failed: { token: string; error: string; cause: string }[] = [];
  started: string[] = [];
  async start(id: string) {
    this.started.push(id);
  }
  async completeGraph(token: string) {
    this.completed.push(token);
  }
  async failGraph(token: string, error: string, cause: string) {
    this.failed.push({ token, error, cause });
  }
}

export function engineDeps(env: Env, o: Partial<EngineDeps> = {}): EngineDeps {
  return {
    store: env.store,
    queues: env.queues,
    orchestrator: new RecordingOrchestrator(),
    blobs: env.blobs,
    now: () => new Date(),
    defaults: { task_retries: 0, task_retry_interval: 0 },
    log: () => {},
    ...o,
  };
}

/**
 * A diamond on one host: a → (b, c) → d, each with a create script. Returns the deployment id,
 * which also names the host's agent (so each test has a queue of its own).
 * `retries` sets max_retries of every operation.
 */
export async function deployDiamond(env: Env, id: string, retries = 0): Promise<string> {
  const op = (name: string) => `
        create:
          implementation: scripts/${name}.sh
          max_retries: ${retries}
          retry_interval: 0`;
  const yaml = `
tosca_definitions_version: cloudify_dsl_1_4
imports: [cloudify/types/types.yaml]
node_templates:
  host:
    type: cloudify.nodes.Compute
    properties: { agent_config: { name: ${id} } }
  a:
    type: cloudify.nodes.SoftwareComponent
    interfaces:
      cloudify.interfaces.lifecycle:${op('a')}
    relationships: [{ type: cloudify.relationships.contained_in, target: host }]
  b:
    type: cloudify.nodes.SoftwareComponent
    interfaces:
      cloudify.interfaces.lifecycle:${op('b')}
    relationships:
      - { type: cloudify.relationships.contained_in, target: host }
      - { type: cloudify.relationships.depends_on, target: a }
  c:
    type: cloudify.nodes.SoftwareComponent
    interfaces:
      cloudify.interfaces.lifecycle:${op('c')}
    relationships:
      - { type: cloudify.relationships.contained_in, target: host }
      - { type: cloudify.relationships.depends_on, target: a }
  d:
    type: cloudify.nodes.SoftwareComponent
    interfaces:
      cloudify.interfaces.lifecycle:${op('d')}
    relationships:
      - { type: cloudify.relationships.contained_in, target: host }
      - { type: cloudify.relationships.depends_on, target: b }
      - { type: cloudify.relationships.depends_on, target: c }
`;
  const files = new Map([['blueprint.yaml', yaml]]);
  for (const n of ['a', 'b', 'c', 'd']) files.set(`scripts/${n}.sh`, 'exit 0');
  const plan = parseBlueprint(files, 'blueprint.yaml');
  for (const n of ['a', 'b', 'c', 'd']) {
    await env.blobs.put(`blueprints/${id}/scripts/${n}.sh`, new TextEncoder().encode('exit 0'));
  }
  const { nodes, instances, inputs } = planDeployment({
    blueprintId: id,
    deploymentId: id,
    plan,
    inputs: {},
  });
  await env.store.createDeployment(
    deploymentRecord(id, id, plan, inputs, new Date().toISOString()),
    nodes,
    instances,
  );
  return id;
}

export async function newExecution(
  env: Env,
  deploymentId: string,
  workflowId = 'install',
  over: Partial<Execution> = {},
): Promise<Execution> {
  const exec = executionRecord({
    id: `${deploymentId}-${workflowId}-${Math.random().toString(36).slice(2, 8)}`,
    deployment_id: deploymentId,
    blueprint_id: deploymentId,
    workflow_id: workflowId,
    created_at: new Date().toISOString(),
    created_by: 'test',
    ...over,
  });
  await env.store.createExecution(exec);
  return exec;
}

/** Takes every message now on the agent's queue (deleting them), in arrival order. */
export async function drain(env: Env, agent: string): Promise<TaskMessage[]> {
  const url = await env.queues.queueUrl(`agent-${agent}`);
  const out: TaskMessage[] = [];
  for (;;) {
    const r = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!r.Messages?.length) return out;
    for (const m of r.Messages) {
      out.push(TASK_MESSAGE.parse(JSON.parse(m.Body ?? '')));
      await env.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

// executor clocks run from now, like a real agent's (events sort by time)
let clock = Date.now();
function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function started(m: TaskMessage): ResultMessage {
  return {
    v: 1,
    kind: 'started',
    execution_id: m.execution_id,
    task_id: m.task_id,
    attempt: m.attempt,
    executor: 'x',
    timestamp: tick(),
  };
}

export function result(
  m: TaskMessage,
  outcome: 'succeeded' | 'failed_recoverable' | 'failed_fatal' | 'retry' = 'succeeded',
): TaskResult {
  return {
    v: 1,
    kind: 'result',
    execution_id: m.execution_id,
    task_id: m.task_id,
    attempt: m.attempt,
    executor: 'x',
    timestamp: tick(),
    outcome,
    ...(outcome === 'succeeded' ? {} : { error: { message: `boom in ${m.task_id}`, type: 'ScriptError' } }),
    runtime_properties: { [m.self.node_instance_id]: { set: { [`done_${m.attempt}`]: true }, unset: [] } },
    logs: [],
  };
}

/** Fails the named method once, on the call for which `when` is true, as a crash there would. */
export function failOnce<T extends object>(
  target: T,
  method: keyof T,
  when: (...args: never[]) => boolean,
): T {
  let armed = true;
  return new Proxy(target, {
    get(obj, prop, recv) {
      const v = Reflect.get(obj, prop, recv);
      if (prop !== method || typeof v !== 'function') return typeof v === 'function' ? v.bind(obj) : v;
      return (...args: never[]) => {
        if (armed && when(...args)) {
          armed = false;
          return Promise.reject(new Error(`injected crash in ${String(method)}`));
        }
        return v.apply(obj, args);
      };
    },
  });
}

export type { Store, TaskQueues };
