/** Events and logs of an execution, and its task graph as `GET /operations` serves it. */
import { NotFoundError } from '../errors.ts';
import type { StratusEvent, Task } from '../model.ts';
import type { Page } from '../ports.ts';
import type { ServiceDeps } from './deps.ts';

export type EventKind = 'cloudify_event' | 'cloudify_log';

export async function listEvents(
  deps: ServiceDeps,
  executionId: string,
  q: { offset: number; size: number; types: EventKind[]; descending: boolean; from?: string; to?: string },
): Promise<Page<StratusEvent>> {
  if (!(await deps.store.getExecution(executionId))) throw new NotFoundError('Execution', executionId);
  return deps.store.listEvents(executionId, q);
}

/** One task of the graph, Cloudify `Operation`-like. Messages and results beyond state stay internal. */
export interface OperationView {
  id: string;
  execution_id: string;
  name: string;
  type: Task['kind'];
  state: Task['state'];
  node_instance_id: string | null;
  dependencies: string[];
  subgraph: string | null;
  target: string | null;
  /** retries done so far (the attempt number) */
  retries: number;
  max_retries: number;
  retry_interval: number;
  error: string | null;
  updated_at: string;
}

export function toOperationView(t: Task): OperationView {
  return {
    id: t.id,
    execution_id: t.execution_id,
    name: t.name,
    type: t.kind,
    state: t.state,
    node_instance_id: t.node_instance_id,
    dependencies: t.dependencies,
    subgraph: t.subgraph,
    target: t.operation?.target ?? null,
    retries: t.attempt,
    max_retries: t.max_retries,
    retry_interval: t.retry_interval,
    error: t.error,
    updated_at: t.updated_at,
  };
}

export async function listOperations(deps: ServiceDeps, executionId: string): Promise<OperationView[]> {
  if (!(await deps.store.getExecution(executionId))) throw new NotFoundError('Execution', executionId);
  const tasks = await deps.store.listTasks(executionId);
  return tasks.map(toOperationView).sort((a, b) => a.id.localeCompare(b.id));
}
