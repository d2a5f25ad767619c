/** Key shapes of every item kind in the table (see core/README.md for the access patterns). */
import { createHash } from 'node:crypto';

/** Tasks and events of one execution spread over this many partitions (hot-partition limit). */
export const TASK_SHARDS = 16;
export const EVENT_SHARDS = 4;

export function shardOf(id: string, shards: number): number {
  return createHash('md5').update(id).digest().readUInt16BE(0) % shards;
}

export const META = 'A';

export const key = {
  blueprint: (id: string) => ({ pk: `BP#${id}`, sk: META }),
  deployment: (id: string) => ({ pk: `DEP#${id}`, sk: META }),
  node: (deploymentId: string, nodeId: string) => ({ pk: `DEP#${deploymentId}`, sk: `NODE#${nodeId}` }),
  nodeInstance: (id: string) => ({ pk: `NI#${id}`, sk: META }),
  execution: (id: string) => ({ pk: `EX#${id}`, sk: META }),
  taskPartition: (executionId: string, shard: number) => `EX#${executionId}#T#${shard}`,
  task: (executionId: string, taskId: string) => ({
    pk: key.taskPartition(executionId, shardOf(taskId, TASK_SHARDS)),
    sk: taskId,
  }),
  eventPartition: (executionId: string, shard: number) => `EX#${executionId}#E#${shard}`,
};

export const index = {
  blueprints: 'BLUEPRINTS',
  deployments: 'DEPLOYMENTS',
  executions: 'EXECUTIONS',
  instancesOf: (deploymentId: string) => `DEPNI#${deploymentId}`,
  deploymentsOf: (blueprintId: string) => `BPDEP#${blueprintId}`,
  executionsOf: (deploymentId: string) => `DEPEX#${deploymentId}`,
};
