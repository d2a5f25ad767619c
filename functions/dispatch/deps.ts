/** What the engine handlers need, created once per process (Lambda container or local stack). */
import type { BlobStore, Orchestrator, Store, TaskQueues } from '../../core/ports.ts';

export interface EngineDeps {
  store: Store;
  queues: TaskQueues;
  orchestrator: Orchestrator;
  blobs: BlobStore;
  now: () => Date;
  /** Cloudify's defaults for operations that do not set their own */
  defaults: { task_retries: number; task_retry_interval: number };
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export const CLOUDIFY_DEFAULTS = { task_retries: 60, task_retry_interval: 15 } as const;
