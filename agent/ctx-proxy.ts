/**
 * Per-operation ctx proxy: an HTTP server on 127.0.0.1 that answers the `ctx` command (Cloudify's
 * protocol: POST `{args: [...]}` → `{type: 'result', payload}` or `{type: 'error', payload: {message}}`).
 * The port is random and the path holds a random secret, so other local users cannot guess the URL.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_REQUEST_BYTES = 1024 * 1024;

export interface CtxProxy {
  /** the value of CTX_SOCKET_URL */
  readonly url: string;
  close(): Promise<void>;
}

export type CtxHandler = (args: unknown[]) => unknown;

export async function startCtxProxy(handle: CtxHandler): Promise<CtxProxy> {
  const secret = randomBytes(18).toString('base64url');
  const path = `/ctx/${secret}`;
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      reply(res, 404, { type: 'error', payload: { type: 'NotFound', message: 'unknown ctx proxy path' } });
      return;
    }
    readBody(req)
      .then((body) => {
        const parsed = parseRequest(body);
        if (typeof parsed === 'string') {
          reply(res, 400, { type: 'error', payload: { type: 'BadRequest', message: parsed } });
          return;
        }
        try {
          reply(res, 200, { type: 'result', payload: handle(parsed) ?? null });
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          reply(res, 200, { type: 'error', payload: { type: e.name, message: e.message } });
        }
      })
      .catch((err: Error) => {
        reply(res, 400, { type: 'error', payload: { type: 'BadRequest', message: err.message } });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        // a script's background child may still hold a keep-alive connection: do not wait for it
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseRequest(body: string): unknown[] | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'request body is not JSON: expected {"args": [...]}';
  }
  const args = (json as { args?: unknown } | null)?.args;
  if (!Array.isArray(args)) return 'request body must be {"args": [...]}';
  return args;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new Error(`request larger than ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
