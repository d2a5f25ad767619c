/**
 * Installs a generated blueprint of N independent nodes (one no-op script each) on the local stack
 * and reports what it cost. Requests are counted by a middleware on the stack's SDK clients, so they
 * include the pollers' long polls (a handful per second, whatever N is).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDirectory } from '../cli/archive.ts';
import { StratusClient } from '../cli/client.ts';
import { startLocalStack } from '../local/stack.ts';

function blueprint(n: number): string {
  const nodes = Array.from(
    { length: n },
    (_, i) => `  n${i}:
    type: cloudify.nodes.SoftwareComponent
    interfaces:
      cloudify.interfaces.lifecycle:
        create: scripts/noop.sh
`,
  ).join('');
  return `tosca_definitions_version: cloudify_dsl_1_4
imports: [cloudify/types/types.yaml]
node_templates:
${nodes}`;
}

export interface InstallRun {
  n: number;
  makespanMs: number;
  tasks: number;
  dynamodbPerTask: number;
  sqsPerTask: number;
  transitions: number;
}

export async function benchInstall(sizes: number[]): Promise<InstallRun[]> {
  const stack = await startLocalStack({ port: 0, dataDir: null, pollWaitSeconds: 20, log: () => {} });
  const client = new StratusClient(stack.apiUrl, stack.token);
  const dir = await mkdtemp(join(tmpdir(), 'stratus-bench-'));
  const runs: InstallRun[] = [];
  try {
    for (const n of sizes) {
      const bp = join(dir, `n${n}`);
      await mkdir(join(bp, 'scripts'), { recursive: true });
      await writeFile(join(bp, 'blueprint.yaml'), blueprint(n));
      await writeFile(join(bp, 'scripts/noop.sh'), 'exit 0\n');
      await client.uploadBlueprint(`bench-${n}`, await packDirectory(bp));
      await client.createDeployment(`bench-${n}`, `bench-${n}`);

      const before = { ...stack.requests, transitions: stack.orchestrator.transitions };
      const t0 = performance.now();
      const exec = await client.startExecution(`bench-${n}`, 'install');
      const done = await client.waitForExecution(exec.id, { intervalMs: 50, timeoutMs: 30 * 60_000 });
      const makespanMs = performance.now() - t0;
      if (done.status !== 'terminated')
        throw new Error(`bench install of ${n} ended ${done.status}: ${done.error}`);
      // let the state machine's last transition land before reading the counters
      await new Promise((r) => setTimeout(r, 100));
      const tasks = done.total_operations;
      runs.push({
        n,
        makespanMs,
        tasks,
        dynamodbPerTask: (stack.requests.dynamodb - before.dynamodb) / tasks,
        sqsPerTask: (stack.requests.sqs - before.sqs) / tasks,
        transitions: stack.orchestrator.transitions - before.transitions,
      });
    }
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return runs;
}
