/**
 * A small client of the Stratus HTTP API (Cloudify REST v3.1 shapes). The CLI, the benchmark and the
 * end-to-end tests use it; it speaks only HTTP, so it works against AWS and the local stack alike.
 */
import type { Deployment, Execution, NodeInstance, StratusEvent } from '../core/model.ts';
import type { OperationView } from '../core/services/events.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListResponse<T> {
  items: T[];
  metadata: { pagination: { total: number; size: number; offset: number } };
}

export const TERMINAL = new Set(['terminated', 'failed', 'cancelled']);

export class StratusClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const isBytes = body instanceof Uint8Array;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined
          ? {}
          : { 'Content-Type': isBytes ? 'application/octet-stream' : 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : isBytes ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const err = (json ?? {}) as { message?: string; error_code?: string };
      throw new ApiError(
        res.status,
        err.error_code ?? 'unknown',
        err.message ?? `${method} ${path}: ${res.status}`,
      );
    }
    return json as T;
  }

  uploadBlueprint(id: string, archive: Uint8Array, applicationFileName = 'blueprint.yaml') {
    const q = new URLSearchParams({ application_file_name: applicationFileName });
    return this.request<{ id: string }>('PUT', `/blueprints/${encodeURIComponent(id)}?${q}`, archive);
  }

  createDeployment(id: string, blueprintId: string, inputs: Record<string, unknown> = {}) {
    return this.request<Deployment>('PUT', `/deployments/${encodeURIComponent(id)}`, {
      blueprint_id: blueprintId,
      inputs,
    });
  }

  startExecution(deploymentId: string, workflowId: string, parameters: Record<string, unknown> = {}) {
    return this.request<Execution>('POST', '/executions', {
      deployment_id: deploymentId,
      workflow_id: workflowId,
      parameters,
    });
  }

  getExecution(id: string) {
    return this.request<Execution>('GET', `/executions/${encodeURIComponent(id)}`);
  }

  async events(executionId: string, offset = 0, size = 1000): Promise<ListResponse<StratusEvent>> {
    const q = new URLSearchParams({
      execution_id: executionId,
      _offset: String(offset),
      _size: String(size),
      include_logs: 'true',
    });
    return this.request('GET', `/events?${q}`);
  }

  async nodeInstances(deploymentId: string): Promise<NodeInstance[]> {
    const q = new URLSearchParams({ deployment_id: deploymentId, _get_all_results: 'true' });
    return (await this.request<ListResponse<NodeInstance>>('GET', `/node-instances?${q}`)).items;
  }

  async operations(executionId: string): Promise<OperationView[]> {
    const q = new URLSearchParams({ execution_id: executionId, _get_all_results: 'true' });
    return (await this.request<ListResponse<OperationView>>('GET', `/operations?${q}`)).items;
  }

  /**
   * Polls until the execution ends, handing each new event to `onEvent` as it appears.
   * Gives up after `timeoutMs` with an error that names the last status.
   */
  async waitForExecution(
    id: string,
    opts: { onEvent?: (e: StratusEvent) => void; timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<Execution> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    let seen = 0;
    for (;;) {
      const exec = await this.getExecution(id);
      if (opts.onEvent) {
        const page = await this.events(id, seen);
        for (const e of page.items) opts.onEvent(e);
        seen += page.items.length;
      }
      if (TERMINAL.has(exec.status)) {
        if (opts.onEvent) {
          // the closing events may land just after the status
          const page = await this.events(id, seen);
          for (const e of page.items) opts.onEvent(e);
        }
        return exec;
      }
      if (Date.now() > deadline) throw new Error(`execution ${id} still ${exec.status} after the wait`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
    }
  }
}
