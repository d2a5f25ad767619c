/**
 * Runs one script operation the way Cloudify's script plugin does: the script in a fresh temp dir
 * (its cwd), bash unless it has a shebang, each operation input an environment variable, and a `ctx`
 * command on PATH talking to a per-operation ctx proxy. Never throws for a script's failure: every
 * outcome becomes a TaskResult.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LogEntry, TaskMessage, TaskResult } from '../core/messages.ts';
import { CTX_CLI_SOURCE } from './ctx-cli.ts';
import { OperationContext } from './ctx-context.ts';
import { type CtxProxy, startCtxProxy } from './ctx-proxy.ts';
import { LogBuffer } from './log-buffer.ts';

export interface RunOptions {
  /** name of the executor, reported in the result: `central` or the agent name */
  executor: string;
  /** directory under which each operation gets its own temp dir (created if missing) */
  workRoot: string;
  /** called every ~2 s with the logs gathered since the last call; the result carries the rest */
  onLogs?: (logs: LogEntry[]) => void;
  /** aborting kills the script's process group; the result is failed_recoverable */
  signal?: AbortSignal;
  /** how often onLogs is called, in ms (default 2000) */
  logFlushIntervalMs?: number;
}

/** Cloudify's script-plugin inputs that configure the process instead of becoming env variables */
const RESERVED_INPUTS = new Set(['process', 'script_path']);
/** The executor's own credentials never reach scripts. */
const HIDDEN_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'];
const STDERR_TAIL_LINES = 10;
const KILL_GRACE_MS = 3000;
/** after the script exits, how long a background child may keep its stdout/stderr open */
const PIPE_DRAIN_MS = 1000;

interface ProcessConfig {
  env: Record<string, string>;
  args: string[];
  cwd?: string;
  commandPrefix?: string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

export async function runOperation(msg: TaskMessage, opts: RunOptions): Promise<TaskResult> {
  const logs = new LogBuffer();
  const ctx = new OperationContext(msg, (level, message) => logs.push(level, message));
  const result = (
    outcome: TaskResult['outcome'],
    extra: Pick<TaskResult, 'error' | 'retry_after'> = {},
  ): TaskResult => ({
    v: 1,
    kind: 'result',
    execution_id: msg.execution_id,
    task_id: msg.task_id,
    attempt: msg.attempt,
    executor: opts.executor,
    timestamp: new Date().toISOString(),
    outcome,
    ...extra,
    ...(ctx.returns ? { returns: ctx.returns.value } : {}),
    runtime_properties: ctx.patches(),
    logs: logs.take(),
  });

  if (msg.script === null) {
    return result('failed_fatal', {
      error: {
        type: 'NonRecoverableError',
        message: `the task carries no script for implementation \`${msg.implementation}\`: only script operations run here`,
      },
    });
  }
  const config = processConfig(msg.inputs);
  if (typeof config === 'string') {
    return result('failed_fatal', { error: { type: 'NonRecoverableError', message: config } });
  }

  await mkdir(opts.workRoot, { recursive: true });
  const dir = await mkdtemp(join(opts.workRoot, 'op-'));
  let proxy: CtxProxy | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  try {
    proxy = await startCtxProxy((args) => ctx.handle(args));
    const binDir = join(dir, '.bin');
    await mkdir(binDir);
    await writeFile(join(binDir, 'ctx-cli.cjs'), CTX_CLI_SOURCE);
    await writeFile(
      join(binDir, 'ctx'),
      `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(join(binDir, 'ctx-cli.cjs'))} "$@"\n`,
      { mode: 0o755 },
    );
    const scriptPath = join(dir, scriptFileName(msg.implementation));
    await writeFile(scriptPath, msg.script, { mode: 0o700 });
    await chmod(scriptPath, 0o700);

    const env = scriptEnv(msg, config, (name) =>
      logs.push('warning', `input \`${name}\` cannot be an environment variable name: not passed`),
    );
    env.PATH = `${binDir}:${env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;
    env.CTX_SOCKET_URL = proxy.url;

    const argv = commandLine(msg.script, scriptPath, config);
    if (opts.onLogs) {
      const onLogs = opts.onLogs;
      flushTimer = setInterval(() => {
        if (logs.size > 0) onLogs(logs.take());
      }, opts.logFlushIntervalMs ?? 2000);
    }

    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: config.cwd ?? dir,
      env,
      // its own process group, so a timeout kills the script and everything it started
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderrTail: string[] = [];
    const outputDone = Promise.all([
      readLines(child.stdout!, (line) => logs.push('debug', line)),
      readLines(child.stderr!, (line) => {
        logs.push('debug', `stderr: ${line}`);
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      }),
    ]);

    let stopReason: { kind: 'timeout'; seconds: number } | { kind: 'aborted'; reason: string } | undefined;
    const stop = (reason: NonNullable<typeof stopReason>) => {
      stopReason ??= reason;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timeout = msg.timeout;
    const timer =
      timeout !== null && timeout > 0
        ? setTimeout(() => stop({ kind: 'timeout', seconds: timeout }), timeout * 1000)
        : undefined;
    const onAbort = () => stop({ kind: 'aborted', reason: String(opts.signal?.reason ?? 'aborted') });
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const exit = await waitForExit(child);
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    // a background child that inherited stdout may keep it open: do not wait for it forever
    await Promise.race([outputDone, new Promise((r) => setTimeout(r, PIPE_DRAIN_MS).unref())]);
    child.stdout?.destroy();
    child.stderr?.destroy();

    if (stopReason?.kind === 'aborted') {
      return result('failed_recoverable', {
        error: { type: 'OperationAborted', message: `operation aborted: ${stopReason.reason}` },
      });
    }
    if (stopReason?.kind === 'timeout') {
      return result('failed_recoverable', {
        error: { type: 'TimeoutError', message: `timed out after ${stopReason.seconds} s` },
      });
    }
    const request = ctx.request;
    if (request?.kind === 'abort') {
      return result('failed_fatal', { error: { type: 'NonRecoverableError', message: request.message } });
    }
    if (request?.kind === 'retry') {
      return result('retry', {
        error: { type: 'RecoverableError', message: request.message },
        ...(request.retryAfter === undefined ? {} : { retry_after: request.retryAfter }),
      });
    }
    if (exit.spawnError) {
      return result('failed_recoverable', {
        error: {
          type: 'ProcessExecutionError',
          message: `cannot start the script: ${exit.spawnError.message}`,
        },
      });
    }
    if (exit.code === 0) return result('succeeded');
    const how = exit.code === null ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = stderrTail.length > 0 ? `\n${stderrTail.join('\n')}` : '';
    return result('failed_recoverable', {
      error: { type: 'ProcessExecutionError', message: `${basename(scriptPath)} ${how}${tail}` },
    });
  } finally {
    clearInterval(flushTimer);
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Cloudify's `process` input: env, args, cwd, command_prefix. */
function processConfig(inputs: Record<string, unknown>): ProcessConfig | string {
  const raw = inputs.process;
  const config: ProcessConfig = { env: {}, args: [] };
  if (raw === undefined || raw === null) return config;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return 'input `process` must be a dict with any of env, args, cwd, command_prefix';
  }
  const p = raw as Record<string, unknown>;
  if (p.env !== undefined) {
    if (typeof p.env !== 'object' || p.env === null || Array.isArray(p.env)) {
      return 'input `process.env` must be a dict of variable → value';
    }
    for (const [k, v] of Object.entries(p.env)) config.env[k] = envValue(v);
  }
  if (p.args !== undefined) {
    if (!Array.isArray(p.args)) return 'input `process.args` must be a list';
    config.args = p.args.map(envValue);
  }
  if (p.cwd !== undefined) {
    if (typeof p.cwd !== 'string') return 'input `process.cwd` must be a string';
    config.cwd = p.cwd;
  }
  if (p.command_prefix !== undefined) {
    if (typeof p.command_prefix !== 'string') return 'input `process.command_prefix` must be a string';
    config.commandPrefix = p.command_prefix;
  }
  return config;
}

function scriptEnv(
  msg: TaskMessage,
  config: ProcessConfig,
  warnSkipped: (name: string) => void,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // the agent's own settings and credentials stay with the agent
    if (v !== undefined && !HIDDEN_ENV.includes(k) && !k.startsWith('CTX_') && !k.startsWith('STRATUS_'))
      env[k] = v;
  }
  for (const [name, value] of Object.entries(msg.inputs)) {
    if (RESERVED_INPUTS.has(name)) continue;
    if (name === '' || name.includes('=') || name.includes('\0')) {
      warnSkipped(name);
      continue;
    }
    env[name] = envValue(value);
  }
  Object.assign(env, config.env);
  return env;
}

/** strings as they are; every other value JSON-encoded (Cloudify's rule) */
function envValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

function commandLine(script: string, scriptPath: string, config: ProcessConfig): string[] {
  if (config.commandPrefix) {
    return [...config.commandPrefix.trim().split(/\s+/), scriptPath, ...config.args];
  }
  if (script.startsWith('#!')) return [scriptPath, ...config.args];
  return ['bash', scriptPath, ...config.args];
}

function scriptFileName(implementation: string): string {
  const name = basename(implementation).replace(/[^A-Za-z0-9._-]/g, '_');
  return name === '' || name.startsWith('.') ? `script${name}` : name;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function waitForExit(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err }));
  });
}

function readLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) onLine(line.replace(/\r$/, ''));
    });
    const done = () => {
      if (partial !== '') onLine(partial);
      partial = '';
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
  });
}
