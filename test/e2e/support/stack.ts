/** Starts the embedded local stack for a test file and gives a client of its API. */
import { createServer } from 'node:net';
import { StratusClient } from '../../../cli/client.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../local/stack.ts';

export interface TestStack {
  stack: LocalStack;
  client: StratusClient;
  logs: string[];
}

export async function startTestStack(opts: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const logs: string[] = [];
  const stack = await startLocalStack({
    port: 0,
    dataDir: null,
    token: 'test-token',
    pollWaitSeconds: 1,
    log: (line) => logs.push(line),
    ...opts,
  });
  return { stack, client: new StratusClient(stack.apiUrl, stack.token), logs };
}

/** A TCP port nobody listens on right now (for the hello-world web server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
