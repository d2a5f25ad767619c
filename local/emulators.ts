/**
 * The AWS emulators the local stack and the integration tests run in-process: dynalite (DynamoDB,
 * LevelDB on disk or in memory) and fauxqs (SQS + S3, in memory). Both listen on 127.0.0.1 only.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** `dataDir` keeps the tables across restarts; without it everything lives in memory. */
export async function startDynalite(opts: { dataDir?: string; port?: number } = {}): Promise<Emulator> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.dataDir ? { path: opts.dataDir } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startSqsS3(opts: { port?: number } = {}): Promise<Emulator> {
  // buildApp rather than startFauxqs: the latter binds every interface, the local stack binds loopback only
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${new URL(address).port}`,
    stop: () => app.close(),
  };
}
