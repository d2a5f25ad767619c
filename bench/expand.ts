/**
 * Dispatch of a large graph, without running it: plan a deployment of N independent nodes, then run
 * Dispatch (workflow → graph → DynamoDB, release of the roots → SQS) on the emulators. Shows that
 * expansion grows linearly and what it costs in requests per task.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from '../core/aws/clients.ts';
import { DynamoStore } from '../core/aws/dynamo-store.ts';
import { S3BlobStore } from '../core/aws/s3-blob-store.ts';
import { SqsTaskQueues } from '../core/aws/sqs-task-queues.ts';
import { ensureTable } from '../core/aws/table-schema.ts';
import { planDeployment } from '../core/deployment/index.ts';
import { parseBlueprint } from '../core/dsl/index.ts';
import type { Orchestrator } from '../core/ports.ts';
import { deploymentRecord } from '../core/services/deployments.ts';
import { executionRecord } from '../core/services/executions.ts';
import { dispatch } from '../functions/dispatch/expand.ts';
import { buildWorkflowGraph } from '../functions/workflow/index.ts';
import { startDynalite, startSqsS3 } from '../local/emulators.ts';

function blueprint(n: number): string {
  let y =
    'tosca_definitions_version: cloudify_dsl_1_4\nimports: [cloudify/types/types.yaml]\nnode_templates:\n';
  y += `  app:\n    type: cloudify.nodes.SoftwareComponent\n    capabilities: {scalable: {properties: {default_instances: ${n}}}}\n`;
  y +=
    '    interfaces:\n      cloudify.interfaces.lifecycle:\n        create: scripts/noop.sh\n        start: scripts/noop.sh\n';
  return y;
}

const noCallbacks: Orchestrator = {
  start: async () => {},
  completeGraph: async () => {},
  failGraph: async () => {},
};

export async function benchExpand(sizes: number[]): Promise<string[]> {
  const dynamo = await startDynalite();
  const sqsS3 = await startSqsS3();
  const lines: string[] = [];
  try {
    let requests = 0;
    const ddb = new DynamoDBClient(clientConfig({ endpoint: dynamo.endpoint }));
    await ensureTable(ddb, 'stratus');
    ddb.middlewareStack.add((next) => (args) => {
      requests++;
      return next(args);
    });
    const sqs = new SQSClient(clientConfig({ endpoint: sqsS3.endpoint }));
    const central = await sqs.send(new CreateQueueCommand({ QueueName: 'stratus-central' }));
    const store = new DynamoStore(DynamoDBDocumentClient.from(ddb), 'stratus');
    const deps = {
      store,
      queues: new SqsTaskQueues({ sqs, prefix: 'stratus', centralQueueUrl: central.QueueUrl ?? '' }),
      orchestrator: noCallbacks,
      blobs: new S3BlobStore(
        new S3Client({ ...clientConfig({ endpoint: sqsS3.endpoint }), forcePathStyle: true }),
        'none',
      ),
      now: () => new Date(),
      defaults: { task_retries: 0, task_retry_interval: 0 },
      log: () => {},
    };
    for (const n of sizes) {
      const id = `expand-${n}`;
      const plan = parseBlueprint(
        new Map([
          ['blueprint.yaml', blueprint(n)],
          ['scripts/noop.sh', 'true'],
        ]),
        'blueprint.yaml',
      );
      const { nodes, instances, inputs } = planDeployment({
        blueprintId: id,
        deploymentId: id,
        plan,
        inputs: {},
      });
      const now = new Date().toISOString();
      const deployment = deploymentRecord(id, id, plan, inputs, now);
      await store.createDeployment(deployment, nodes, instances);
      const t0 = performance.now();
      const graph = buildWorkflowGraph({
        workflow_id: 'install',
        parameters: {},
        deployment,
        nodes,
        instances,
        defaults: deps.defaults,
      });
      const buildMs = performance.now() - t0;
      // a dry run: every task is "run" inline and nothing is sent, which measures the engine alone
      const exec = executionRecord({
        id: `${id}-install`,
        deployment_id: id,
        blueprint_id: id,
        workflow_id: 'install',
        created_at: now,
        is_dry_run: true,
      });
      await store.createExecution(exec);
      const before = requests;
      const t1 = performance.now();
      await dispatch(deps, { executionId: exec.id, taskToken: 'bench' });
      const dispatchMs = performance.now() - t1;
      const tasks = graph.tasks.length;
      lines.push(
        `expand install of ${n} instances: ${tasks} graph tasks (${graph.tasks.filter((t) => t.kind === 'operation').length} operations); ` +
          `build ${buildMs.toFixed(0)} ms; dry-run dispatch of the whole graph ${(dispatchMs / 1000).toFixed(1)} s, ` +
          `${((requests - before) / tasks).toFixed(1)} DynamoDB requests per graph task`,
      );
    }
  } finally {
    await dynamo.stop();
    await sqsS3.stop();
  }
  return lines;
}
