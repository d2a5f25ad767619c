/**
 * `stratus`: the command line of Stratus, modelled on Cloudify's `cfy`.
 * The API URL comes from --api or STRATUS_API; the token from STRATUS_TOKEN only (never a flag, so
 * that it stays out of shell history). Exit codes: 0 ok, 1 failed, 2 wrong usage, 130 interrupted.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StratusClient } from './client.ts';
import { type Context, type Output, UsageError } from './command.ts';
import { COMMANDS } from './commands.ts';
import { describeError } from './errors.ts';
import { commandUsage, DEFAULT_API, mainUsage, parseCommand } from './parse.ts';

export interface RunOptions {
  env: Record<string, string | undefined>;
  out: Output;
  signal?: AbortSignal;
  interruptible?: { active: boolean };
  pollMs?: number;
}

export async function run(argv: readonly string[], opts: RunOptions): Promise<number> {
  const { out, env } = opts;
  let apiUrl = env.STRATUS_API || DEFAULT_API;
  const token = env.STRATUS_TOKEN ?? '';
  try {
    const parsed = parseCommand(argv, COMMANDS);
    if (parsed.kind === 'help') {
      out.stdout(`${parsed.text}\n`);
      return 0;
    }
    apiUrl = (parsed.api ?? apiUrl).replace(/\/+$/, '');
    const ctx: Context = {
      client: new StratusClient(apiUrl, token),
      out,
      apiUrl,
      tokenSet: token !== '',
      signal: opts.signal ?? new AbortController().signal,
      interruptible: opts.interruptible ?? { active: false },
      pollMs: opts.pollMs ?? 300,
    };
    return await parsed.command.run(ctx, parsed.args);
  } catch (err) {
    const report = describeError(err, { apiUrl, tokenSet: token !== '' });
    out.stderr(`${report.lines.join('\n')}\n`);
    if (err instanceof UsageError) {
      out.stderr(`\n${err.command ? commandUsage(err.command) : mainUsage(COMMANDS)}\n`);
    }
    return report.exitCode;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The process around `run`: real stdout/stderr, the environment, Ctrl-C, the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  const interruptible = { active: false };
  // While an execution is followed, Ctrl-C stops following (the execution goes on); otherwise it exits.
  process.on('SIGINT', () => {
    if (interruptible.active) controller.abort();
    else process.exit(130);
  });
  const isTTY = Boolean(process.stdout.isTTY);
  const out: Output = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY,
    color: isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  };
  process.exitCode = await run(argv, { env: process.env, out, signal: controller.signal, interruptible });
}

if (isMain()) await main(process.argv.slice(2));
