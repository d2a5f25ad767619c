/**
 * What every domain service needs. Routes (HTTP API) and engine handlers (Finalize) build one of
 * these and pass it down; tests pass a fixed clock and id generator.
 */
import { randomUUID } from 'node:crypto';
import type { BlobStore, Orchestrator, Store } from '../ports.ts';

export interface ServiceDeps {
  store: Store;
  blobs: BlobStore;
  orchestrator: Orchestrator;
  clock?: () => Date;
  ids?: () => string;
}

export function nowIso(deps: Pick<ServiceDeps, 'clock'>): string {
  return (deps.clock?.() ?? new Date()).toISOString();
}

export function newId(deps: Pick<ServiceDeps, 'ids'>): string {
  return deps.ids?.() ?? randomUUID();
}
