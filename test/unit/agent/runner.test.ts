// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bash scripts
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOptions, runOperation } from '../../../agent/runner.ts';
import type { LogEntry, TaskMessage } from '../../../core/messages.ts';
import { entity, makeTask } from './make-task.ts';

let workRoot: string;
beforeAll(async () => {
  workRoot = await mkdtemp(join(tmpdir(), 'stratus-runner-test-'));
});
afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

const run = (task: TaskMessage, extra: Partial<RunOptions> = {}) =>
  runOperation(task, { executor: 'test-agent', workRoot, ...extra });

const messages = (logs: LogEntry[], level?: LogEntry['level']) =>
  logs.filter((l) => !level || l.level === level).map((l) => l.message);

describe('runOperation: process', () => {
  it('passes string inputs as they are and other inputs JSON-encoded as environment variables', async () => {
    const script = [
      'ctx logger info "greeting=$greeting"',
      'ctx logger info "port=$port"',
      'ctx logger info "tags=$tags"',
      'ctx logger info "conf=$conf"',
      'ctx logger info "process=${process:-unset}"',
    ].join('\n');
    const result = await run(
      makeTask(script, {
        inputs: { greeting: 'Hello world', port: 8080, tags: ['a', 'b'], conf: { x: true } },
      }),
    );
    expect(result.outcome).toBe('succeeded');
    expect(messages(result.logs, 'info')).toEqual([
      'greeting=Hello world',
      'port=8080',
      'tags=["a","b"]',
      'conf={"x":true}',
      'process=unset',
    ]);
  });

  it('runs without a shebang under bash, in a fresh temp dir that is removed afterwards', async () => {
    const result = await run(makeTask('arr=(one two); ctx returns "${arr[1]}:$PWD"'));
    expect(result.outcome).toBe('succeeded');
    const [word, cwd] = String(result.returns).split(':');
    expect(word).toBe('two');
    expect(cwd?.startsWith(workRoot)).toBe(true);
    expect(existsSync(cwd!)).toBe(false);
  });

  it('executes a script with a shebang through its interpreter', async () => {
    const script =
      '#!/usr/bin/env node\nconst { execFileSync } = require("node:child_process");\n' +
      'execFileSync("ctx", ["returns", "from node " + process.env.who], { stdio: "inherit" });\n';
    const result = await run(makeTask(script, { inputs: { who: 'me' } }));
    expect(result.outcome).toBe('succeeded');
    expect(result.returns).toBe('from node me');
  });

  it("honours Cloudify's process input: args and extra env", async () => {
    const result = await run(
      makeTask('ctx returns "$1-$2-$EXTRA"', {
        inputs: { process: { args: ['a', 2], env: { EXTRA: 'x' } } },
      }),
    );
    expect(result.returns).toBe('a-2-x');
  });

  it("does not hand the executor's AWS credentials to the script", async () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'agent-secret';
    try {
      const result = await run(makeTask('ctx returns "${AWS_SECRET_ACCESS_KEY:-none}"'));
      expect(result.returns).toBe('none');
    } finally {
      if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });

  it('logs stdout and stderr lines at debug level', async () => {
    const result = await run(makeTask('echo out-line\necho err-line >&2'));
    expect(messages(result.logs, 'debug')).toEqual(['out-line', 'stderr: err-line']);
  });
});

describe('runOperation: outcomes', () => {
  it('reports a non-zero exit as failed_recoverable with the last stderr lines', async () => {
    const result = await run(
      makeTask('echo "disk is full" >&2\nexit 3', { implementation: 'scripts/create.sh' }),
    );
    expect(result.outcome).toBe('failed_recoverable');
    expect(result.error?.type).toBe('ProcessExecutionError');
    expect(result.error?.message).toBe('create.sh exited with code 3\ndisk is full');
  });

  it('reports ctx abort_operation as failed_fatal with its message, whatever the exit code', async () => {
    const result = await run(makeTask('ctx abort_operation "bad config: port missing"\nexit 0'));
    expect(result.outcome).toBe('failed_fatal');
    expect(result.error).toEqual({ type: 'NonRecoverableError', message: 'bad config: port missing' });
  });

  it('reports ctx retry_operation as retry with retry_after', async () => {
    const result = await run(makeTask('ctx retry_operation "not ready yet" 30\nexit 1'));
    expect(result.outcome).toBe('retry');
    expect(result.error?.message).toBe('not ready yet');
    expect(result.retry_after).toBe(30);
  });

  it('reports ctx retry_operation without a delay as retry without retry_after', async () => {
    const result = await run(makeTask('ctx retry_operation "again"'));
    expect(result.outcome).toBe('retry');
    expect(result).not.toHaveProperty('retry_after');
  });

  it('kills the script and its children on timeout and reports failed_recoverable', async () => {
    const marker = join(workRoot, 'timeout-marker');
    const script = `sleep 60 &\nwait\ntouch ${marker}`;
    const result = await run(makeTask(script, { timeout: 1 }));
    expect(result.outcome).toBe('failed_recoverable');
    expect(result.error).toEqual({ type: 'TimeoutError', message: 'timed out after 1 s' });
    expect(existsSync(marker)).toBe(false);
  });

  it('kills the script when the signal aborts and reports failed_recoverable', async () => {
    const abort = new AbortController();
    const script = 'ctx logger info running\nsleep 60';
    const result = await run(makeTask(script), {
      logFlushIntervalMs: 20,
      onLogs: (logs) => {
        if (messages(logs).includes('running')) abort.abort('agent stopping');
      },
      signal: abort.signal,
    });
    expect(result.outcome).toBe('failed_recoverable');
    expect(result.error?.message).toBe('operation aborted: agent stopping');
  });

  it('fails fatally when the task carries no script', async () => {
    const result = await run(makeTask(null, { implementation: 'plugin.tasks.create' }));
    expect(result.outcome).toBe('failed_fatal');
    expect(result.error?.message).toContain('plugin.tasks.create');
  });

  it('fills the result envelope from the task', async () => {
    const task = makeTask('true', { attempt: 2 });
    const result = await run(task);
    expect(result).toMatchObject({
      v: 1,
      kind: 'result',
      execution_id: task.execution_id,
      task_id: task.task_id,
      attempt: 2,
      executor: 'test-agent',
      outcome: 'succeeded',
      runtime_properties: {},
    });
  });
});

describe('runOperation: ctx', () => {
  it('reads runtime properties: strings raw, others as JSON, a missing key as empty with exit 0', async () => {
    const self = entity('web', {
      runtime_properties: { root: '/srv/www', port: 80, conf: { a: { b: 'deep' } }, list: [1, 2, 3] },
    });
    const script = [
      'set -e',
      'ctx logger info "root=$(ctx instance runtime-properties root)"',
      'ctx logger info "port=$(ctx instance runtime-properties port)"',
      'ctx logger info "conf=$(ctx instance runtime-properties conf)"',
      'ctx logger info "nested=$(ctx instance runtime-properties conf.a.b)"',
      'ctx logger info "index=$(ctx instance runtime-properties list[1])"',
      'ctx logger info "missing=[$(ctx instance runtime-properties nope)]"',
      'ctx logger info "missing-nested=[$(ctx instance runtime-properties conf.x.y)]"',
    ].join('\n');
    const result = await run(makeTask(script, { self }));
    expect(result.outcome).toBe('succeeded');
    expect(messages(result.logs, 'info')).toEqual([
      'root=/srv/www',
      'port=80',
      'conf={"a":{"b":"deep"}}',
      'nested=deep',
      'index=2',
      'missing=[]',
      'missing-nested=[]',
    ]);
    expect(result.runtime_properties).toEqual({});
  });

  it('writes runtime properties (strings, JSON with the @ prefix, as Cloudify) and returns them as patches', async () => {
    const self = entity('web', { runtime_properties: { keep: 1, old: 'x', conf: { a: 1 } } });
    const script = [
      'set -e',
      'ctx instance runtime-properties pid 1234',
      'ctx instance runtime-properties url "http://127.0.0.1:8000/"',
      'ctx instance runtime-properties ready @true',
      `ctx instance runtime-properties obj '@{"k":[1,2]}'`,
      'ctx instance runtime-properties old x',
      'ctx instance runtime-properties conf.b.c @7',
      'ctx instance runtime-properties count @14',
      'ctx instance runtime-properties version 1.10',
      'ctx instance runtime-properties big 12345678901234567890',
    ].join('\n');
    const result = await run(makeTask(script, { self }));
    expect(result.outcome).toBe('succeeded');
    expect(result.runtime_properties).toEqual({
      web_a1b2c3: {
        set: {
          pid: '1234',
          url: 'http://127.0.0.1:8000/',
          ready: true,
          obj: { k: [1, 2] },
          conf: { a: 1, b: { c: 7 } },
          count: 14,
          version: '1.10',
          big: '12345678901234567890',
        },
        unset: [],
      },
    });
  });

  it('answers instance, node, deployment and operation attributes', async () => {
    const self = entity('web', { node_properties: { port: 8000, ip: '10.0.0.1', meta: { owner: 'ops' } } });
    const script = [
      'set -e',
      'echo "$(ctx instance id)"',
      'echo "$(ctx node id) $(ctx node name)"',
      'echo "$(ctx node properties port) $(ctx node properties meta.owner)"',
      'echo "$(ctx deployment id) $(ctx blueprint id) $(ctx execution-id) $(ctx workflow-id)"',
      'echo "$(ctx operation name) $(ctx operation retry-number) $(ctx type)"',
      'ctx -j instance id',
    ].join('\n');
    const result = await run(makeTask(script, { self, attempt: 1 }));
    expect(result.outcome).toBe('succeeded');
    expect(messages(result.logs, 'debug')).toEqual([
      'web_a1b2c3',
      'web web',
      '8000 ops',
      'dep-1 bp-1 exec-1 install',
      'cloudify.interfaces.lifecycle.create 1 node-instance',
      '"web_a1b2c3"',
    ]);
  });

  it('logs through ctx logger at each level, joining the words', async () => {
    const script =
      'ctx logger debug d\nctx logger info several words here\nctx logger warning w\nctx logger error e';
    const result = await run(makeTask(script));
    expect(result.logs.map((l) => [l.level, l.message])).toEqual([
      ['debug', 'd'],
      ['info', 'several words here'],
      ['warning', 'w'],
      ['error', 'e'],
    ]);
  });

  it('returns a value set with ctx returns: JSON with the @ prefix, else a string', async () => {
    expect((await run(makeTask(`ctx returns '@{"ok":true}'`))).returns).toEqual({ ok: true });
    expect((await run(makeTask('ctx returns 42'))).returns).toBe('42');
  });

  it('refuses node properties writes and unknown commands with an error on stderr and exit 1', async () => {
    const script = [
      'ctx node properties port 1 2>err1 && echo unexpected',
      'ctx frobnicate 2>err2 && echo unexpected',
      'ctx download-resource files/a.conf 2>err3 && echo unexpected',
      'ctx returns "$(cat err1)|$(cat err2)|$(cat err3)"',
    ].join('\n');
    const result = await run(makeTask(script));
    expect(messages(result.logs, 'debug')).not.toContain('unexpected');
    const [e1, e2, e3] = String(result.returns).split('|');
    expect(e1).toBe('ctx: ctx node properties are read-only');
    expect(e2).toMatch(/^ctx: unknown ctx command `frobnicate`/);
    expect(e3).toMatch(/^ctx: ctx download_resource: not available in this version/);
  });

  it('reads and writes source and target in a relationship operation', async () => {
    const source = entity('web', { runtime_properties: { port: 8000 }, node_properties: { name: 'w' } });
    const target = entity('db', {
      runtime_properties: { host: 'db.local' },
      node_properties: { engine: 'pg' },
    });
    const script = [
      'set -e',
      'host=$(ctx target instance runtime-properties host)',
      'ctx source instance runtime-properties db_url "postgres://${host}/$(ctx target node properties engine)"',
      'ctx target instance runtime-properties clients \'@["\'"$(ctx source instance id)"\'"]\'',
      'ctx instance runtime-properties touched_self @true',
      'ctx logger info "$(ctx source node name)->$(ctx target node id) $(ctx type)"',
    ].join('\n');
    const task = makeTask(script, {
      operation: 'cloudify.interfaces.relationship_lifecycle.establish',
      self: source,
      relationship: { type: 'cloudify.relationships.connected_to', side: 'source', source, target },
    });
    const result = await run(task);
    expect(result.outcome).toBe('succeeded');
    expect(messages(result.logs, 'info')).toEqual(['web->db relationship-instance']);
    expect(result.runtime_properties).toEqual({
      web_a1b2c3: { set: { db_url: 'postgres://db.local/pg', touched_self: true }, unset: [] },
      db_a1b2c3: { set: { clients: ['web_a1b2c3'] }, unset: [] },
    });
  });

  it('refuses ctx source outside a relationship operation', async () => {
    const result = await run(makeTask('ctx source instance id'));
    expect(result.outcome).toBe('failed_recoverable');
    expect(result.error?.message).toContain('ctx source is only available in relationship operations');
  });

  it('sends logs through onLogs while a long operation runs and keeps the rest for the result', async () => {
    const go = join(workRoot, 'go-signal');
    const script = `ctx logger info first\nwhile [ ! -f "${go}" ]; do sleep 0.05; done\nctx logger info second`;
    const streamed: string[] = [];
    const result = await run(makeTask(script), {
      logFlushIntervalMs: 20,
      onLogs: (logs) => {
        streamed.push(...messages(logs));
        if (streamed.includes('first')) void writeFile(go, '');
      },
    });
    expect(result.outcome).toBe('succeeded');
    expect(streamed).toContain('first');
    expect(streamed.concat(messages(result.logs))).toEqual(['first', 'second']);
  });
});

describe('runOperation: examples/hello-world', () => {
  it('runs the hello-world lifecycle scripts, each seeing the runtime properties the previous set', async () => {
    let props: Record<string, unknown> = {};
    const outcomes: Record<string, string> = {};
    for (const op of ['create', 'configure', 'start', 'stop', 'delete']) {
      const script = await readFile(
        new URL(`../../../examples/hello-world/scripts/${op}.sh`, import.meta.url),
        'utf8',
      );
      const task = makeTask(script, {
        implementation: `scripts/${op}.sh`,
        operation: `cloudify.interfaces.lifecycle.${op}`,
        // port 0 would not be reachable; python3 may be missing: start.sh copes with both
        inputs: op === 'configure' ? { greeting: 'Hello from Stratus' } : op === 'start' ? { port: 0 } : {},
        self: entity('http_web_server', { runtime_properties: props }),
      });
      const result = await run(task);
      outcomes[op] = result.outcome;
      const patch = result.runtime_properties.http_web_server_a1b2c3;
      if (patch) {
        props = { ...props, ...patch.set };
        for (const key of patch.unset) delete props[key];
      }
      if (op === 'configure') {
        expect(await readFile(join(String(props.root_dir), 'index.html'), 'utf8')).toBe(
          '<h1>Hello from Stratus</h1>\n',
        );
      }
      if (op === 'delete') expect(existsSync(String(props.root_dir))).toBe(false);
    }
    expect(outcomes).toEqual({
      create: 'succeeded',
      configure: 'succeeded',
      start: 'succeeded',
      stop: 'succeeded',
      delete: 'succeeded',
    });
    expect(props).toMatchObject({ url: 'http://127.0.0.1:0/', deleted: true });
  });
});
