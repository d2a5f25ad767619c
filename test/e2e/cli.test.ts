/**
 * The `stratus` CLI as a user runs it: a child process (`npx tsx cli/main.ts`) against the embedded
 * local stack, with the URL and token from the environment.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestStack, type TestStack } from './support/stack.ts';

const ROOT = join(import.meta.dirname, '../..');
const HELLO = join(ROOT, 'examples/hello-world');
const FAILING = join(import.meta.dirname, 'fixtures/failing');

let t: TestStack;
let scratch: string;
beforeAll(async () => {
  t = await startTestStack();
  scratch = await mkdtemp(join(tmpdir(), 'stratus-cli-'));
});
afterAll(async () => {
  // lets a waiting operation of the long-execution test end, if that test stopped half-way
  if (scratch) await writeFile(join(scratch, 'gate'), '');
  await t?.stack.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  env?: Record<string, string | undefined>;
  /** called with the output so far on every chunk of stdout; may signal the process */
  onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void;
  /** `npx tsx` as a user types it; `tsx` straight (what a package `bin` runs): npm's `npx` dies of
   * Ctrl-C itself instead of passing on the CLI's exit code (a shell shows 130 for both) */
  via?: 'npx' | 'tsx';
}

/** Runs the CLI asynchronously: the stack serves it from this same process. */
function cli(args: string[], opts: CliOptions = {}): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    STRATUS_API: t.stack.apiUrl,
    STRATUS_TOKEN: t.stack.token,
    NO_COLOR: '1',
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  // its own process group, so that a Ctrl-C reaches every process of it, as in a terminal
  const [cmd, ...pre] = opts.via === 'tsx' ? [join(ROOT, 'node_modules/.bin/tsx')] : ['npx', 'tsx'];
  const child = spawn(cmd!, [...pre, 'cli/main.ts', ...args], { cwd: ROOT, env, detached: true });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    run.stdout += c.toString();
    opts.onStdout?.(run.stdout, child);
  });
  child.stderr.on('data', (c: Buffer) => {
    run.stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}

function executionId(stdout: string): string {
  const id = /execution ([0-9a-f-]{36})/.exec(stdout)?.[1];
  if (!id) throw new Error(`no execution id in:\n${stdout}`);
  return id;
}

describe('stratus with hello-world', () => {
  let port: number;

  it('uploads the blueprint folder and creates a deployment with a typed input', async () => {
    const up = await cli(['blueprints', 'upload', HELLO, '-b', 'hello']);
    expect(up).toMatchObject({ code: 0, stdout: 'Blueprint hello uploaded\n' });

    port = await freePort();
    const dep = await cli(['deployments', 'create', 'hello', '-b', 'hello', '-i', `webserver_port=${port}`]);
    expect(dep).toMatchObject({ code: 0, stderr: '' });
    const stored = await t.client.request<{ inputs: Record<string, unknown> }>('GET', '/deployments/hello');
    expect(stored.inputs.webserver_port).toBe(port);

    const list = await cli(['blueprints', 'list']);
    expect(list.stdout).toMatch(/^hello\s+blueprint\.yaml/m);
  });

  it('installs, streaming events and the scripts logs, and exits 0', async () => {
    const r = await cli(['executions', 'start', 'install', '-d', 'hello']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/workflow_started/)).toBeGreaterThan(0);
    expect(at(/http_web_server_[a-z0-9]{6}\.create\s+sending_task/)).toBeGreaterThan(at(/workflow_started/));
    expect(at(/http_web_server_[a-z0-9]{6}\.create\s+log:info\s+Created web root/)).toBeGreaterThan(0);
    expect(at(/-\s+workflow_succeeded/)).toBeGreaterThan(at(/\.start\s+task_succeeded/));
    expect(r.stdout).toMatch(/terminated: workflow install on deployment hello succeeded\n$/);
  });

  it('lists node instances with their runtime properties, and evaluates the outputs', async () => {
    const ni = await cli(['node-instances', 'list', '-d', 'hello']);
    expect(ni.code).toBe(0);
    expect(ni.stdout).toMatch(
      new RegExp(
        `http_web_server_\\w{6}\\s+http_web_server\\s+started\\s+\\{.*"url":"http://127.0.0.1:${port}/"`,
      ),
    );
    const json = JSON.parse((await cli(['node-instances', 'list', '-d', 'hello', '--json'])).stdout);
    expect(json.items.map((i: { state: string }) => i.state)).toEqual(['started', 'started']);

    const out = await cli(['deployments', 'outputs', 'hello']);
    expect(out.stdout).toBe(`http_endpoint: http://127.0.0.1:${port}\n`);
  });

  it('refuses to delete the installed deployment, saying what to do', async () => {
    const r = await cli(['deployments', 'delete', 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(dependent_exists_error)');
    expect(r.stderr).toContain(
      'hint: run `stratus executions start uninstall -d hello` first, or add --force',
    );
  });

  it('uninstalls and lists both executions', async () => {
    const r = await cli(['executions', 'start', 'uninstall', '-d', 'hello']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\.delete\s+task_succeeded/);
    expect(r.stdout).toMatch(/workflow_succeeded/);

    const list = await cli(['executions', 'list', '-d', 'hello']);
    expect(list.stdout).toMatch(/install\s+hello\s+terminated\s+3\/3/);
    expect(list.stdout).toMatch(/uninstall\s+hello\s+terminated/);

    const del = await cli(['deployments', 'delete', 'hello']);
    expect(del).toMatchObject({ code: 0, stdout: 'Deployment hello deleted\n' });
  });
});

describe('stratus when things go wrong', () => {
  it('prints the validation issue of a bad blueprint and exits 1', async () => {
    const bad = join(scratch, 'bad.yaml');
    await writeFile(
      bad,
      'tosca_definitions_version: cloudify_dsl_1_4\nnode_templates:\n  a:\n    type: no.such.Type\n',
    );
    const r = await cli(['blueprints', 'upload', bad, '-b', 'bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: Invalid blueprint (1 problem):');
    expect(r.stderr).toMatch(/bad\.yaml:4:\d+: node_templates\.a\.type: .*no\.such\.Type/);
    expect(r.stderr).toContain('(invalid_blueprint_error)');
  });

  it('without a token prints the 401 hint', async () => {
    const r = await cli(['blueprints', 'list'], { env: { STRATUS_TOKEN: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\(unauthorized_error\)\n/);
    expect(r.stderr).toContain('hint: STRATUS_TOKEN is not set');
  });

  it('when nothing listens names the URL it tried', async () => {
    const url = `http://127.0.0.1:${await freePort()}/api/v3.1`;
    const r = await cli(['deployments', 'list'], { env: { STRATUS_API: url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot reach the Stratus API at ${url} (ECONNREFUSED)`);
    expect(r.stderr).toContain('is `npm start` running?');
  });

  it('exits 2 with the list of commands on an unknown command', async () => {
    const r = await cli(['blueprints', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('commands:');
  });

  it('a failed execution: prints the error and where to look, exits 1', async () => {
    expect((await cli(['blueprints', 'upload', FAILING, '-b', 'failing'])).code).toBe(0);
    expect((await cli(['deployments', 'create', 'failing', '-b', 'failing'])).code).toBe(0);
    const r = await cli(['executions', 'start', 'install', '-d', 'failing']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/task_failed/);
    expect(r.stdout).toMatch(/workflow_failed/);
    const id = executionId(r.stdout);
    expect(r.stderr).toContain(`error: execution ${id} failed`);
    expect(r.stderr).toContain('disk full on /var/lib/app');
    expect(r.stderr).toContain(`stratus events list -e ${id}`);
    expect(r.stderr).toContain(`stratus operations list -e ${id}`);

    const ops = await cli(['operations', 'list', '-e', id]);
    expect(ops.stdout).toMatch(
      /cloudify\.interfaces\.lifecycle\.create\s+app_\w{6}\s+failed\s+agent-local\s+1\/1/,
    );
  });
});

describe('stratus and a long execution', () => {
  it('--no-wait prints the id; Ctrl-C stops following (exit 130) and `executions follow` picks it up', async () => {
    const dir = join(scratch, 'slow');
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'scripts'), { recursive: true });
    await writeFile(
      join(dir, 'blueprint.yaml'),
      [
        'tosca_definitions_version: cloudify_dsl_1_4',
        'imports: [cloudify/types/types.yaml]',
        'node_templates:',
        '  host: { type: cloudify.nodes.Compute, properties: { agent_config: { name: local } } }',
        '  app:',
        '    type: cloudify.nodes.SoftwareComponent',
        '    interfaces: { cloudify.interfaces.lifecycle: { create: scripts/wait.sh } }',
        '    relationships: [{ type: cloudify.relationships.contained_in, target: host }]',
        '',
      ].join('\n'),
    );
    // the operation waits for a file the test writes, so the execution runs as long as the test needs
    const gate = join(scratch, 'gate');
    await writeFile(
      join(dir, 'scripts/wait.sh'),
      `#!/bin/bash\nwhile [ ! -e '${gate}' ]; do sleep 0.1; done\n`,
      {
        mode: 0o755,
      },
    );
    expect((await cli(['blueprints', 'upload', dir, '-b', 'slow'])).code).toBe(0);
    expect((await cli(['deployments', 'create', 'slow', '-b', 'slow'])).code).toBe(0);

    let signalled = false;
    const r = await cli(['executions', 'start', 'install', '-d', 'slow'], {
      via: 'tsx',
      onStdout: (stdout, child) => {
        if (!signalled && /\.create\s+task_started/.test(stdout)) {
          signalled = true;
          process.kill(-child.pid!, 'SIGINT');
        }
      },
    });
    expect(r.code).toBe(130);
    const id = executionId(r.stdout);
    expect(r.stderr).toContain(`execution ${id} keeps running on the server`);
    expect(r.stderr).toContain(`stratus executions follow ${id}`);
    expect((await t.client.getExecution(id)).status).toBe('started');

    await writeFile(gate, '');
    const followed = await cli(['executions', 'follow', id]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(
      /workflow_started[\s\S]*app_\w{6}\.create\s+task_succeeded[\s\S]*workflow_succeeded/,
    );

    const noWait = await cli(['executions', 'start', 'uninstall', '-d', 'slow', '--no-wait']);
    expect(noWait.code).toBe(0);
    expect(noWait.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const done = await t.client.waitForExecution(noWait.stdout.trim(), { timeoutMs: 60_000 });
    expect(done.status).toBe('terminated');
  });
});
