import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/command.ts';
import { COMMANDS } from '../../../cli/commands.ts';
import { type RunOptions, run } from '../../../cli/main.ts';
import { parseCommand } from '../../../cli/parse.ts';

function parse(...argv: string[]) {
  const p = parseCommand(argv, COMMANDS);
  if (p.kind !== 'run') throw new Error(`expected a command, got help:\n${p.text}`);
  return p;
}

function usageError(...argv: string[]): UsageError {
  try {
    parseCommand(argv, COMMANDS);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommand', () => {
  it('reads the group, the command, positionals and options in any order', () => {
    const p = parse(
      'blueprints',
      'upload',
      '-b',
      'hello',
      'examples/hello-world',
      '--blueprint-filename',
      'bp.yaml',
    );
    expect(p.command.group).toBe('blueprints');
    expect(p.command.name).toBe('upload');
    expect(p.args.arg('PATH')).toBe('examples/hello-world');
    expect(p.args.str('blueprint-id')).toBe('hello');
    expect(p.args.str('blueprint-filename')).toBe('bp.yaml');
  });

  it('collects repeated -i and -p options', () => {
    const d = parse('deployments', 'create', 'web', '-b', 'hello', '-i', 'port=1', '-i', 'inputs.yaml');
    expect(d.args.list('inputs')).toEqual(['port=1', 'inputs.yaml']);
    const e = parse('executions', 'start', 'scale', '-d', 'web', '-p', 'delta=2', '--dry-run', '--queue');
    expect(e.args.list('parameters')).toEqual(['delta=2']);
    expect([e.args.flag('dry-run'), e.args.flag('queue'), e.args.flag('no-wait')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('takes --api before or after the command', () => {
    expect(parse('--api', 'http://a/api/v3.1', 'blueprints', 'list').api).toBe('http://a/api/v3.1');
    expect(parse('blueprints', '--api=http://b/api/v3.1', 'list').api).toBe('http://b/api/v3.1');
    expect(parse('blueprints', 'list', '--api', 'http://c/api/v3.1').api).toBe('http://c/api/v3.1');
  });

  it('accepts --json only on commands that print a list or a record', () => {
    expect(parse('node-instances', 'list', '-d', 'web', '--json').args.flag('json')).toBe(true);
    expect(usageError('blueprints', 'delete', 'x', '--json').message).toMatch(/Unknown option '--json'/);
  });

  it('has no option for the token, so that it stays out of shell history', () => {
    for (const c of COMMANDS) expect(Object.keys(c.options)).not.toContain('token');
    expect(usageError('blueprints', 'list', '--token', 'secret').message).toMatch(/Unknown option '--token'/);
  });

  it('refuses unknown commands, naming them and what exists', () => {
    expect(usageError('blueprint', 'list').message).toBe('unknown command `blueprint`');
    expect(usageError('blueprints', 'lst').message).toBe(
      'unknown command `blueprints lst`; `blueprints` has: upload, list, delete',
    );
    expect(usageError('executions').message).toMatch(/`executions` needs a command: start, follow/);
    expect(usageError().message).toBe('missing command');
  });

  it('refuses missing and extra positionals and missing required options, with the command usage', () => {
    const missing = usageError('deployments', 'create', '-b', 'hello');
    expect(missing.message).toBe('missing ID');
    expect(missing.command?.name).toBe('create');
    expect(usageError('deployments', 'create', 'a', 'b', '-b', 'x').message).toBe('unexpected argument `b`');
    expect(usageError('deployments', 'create', 'web').message).toBe('missing -b/--blueprint-id');
    expect(usageError('events', 'list').message).toBe('missing -e/--execution-id');
  });

  it('refuses a string option given no value', () => {
    expect(usageError('executions', 'list', '-d').message).toMatch(/-d/);
  });

  it('answers --help with the usage of the command, the group or everything', () => {
    const one = parseCommand(['executions', 'start', '--help'], COMMANDS);
    expect(one.kind === 'help' && one.text).toMatch(
      /^usage: stratus executions start WORKFLOW -d DEPLOYMENT/,
    );
    expect(one.kind === 'help' && one.text).toContain('--no-wait');
    const group = parseCommand(['events', '-h'], COMMANDS);
    expect(group.kind === 'help' && group.text).toContain('events list -e EXECUTION');
    const all = parseCommand(['--help'], COMMANDS);
    expect(all.kind === 'help' && all.text).toContain('STRATUS_TOKEN');
  });
});

describe('run', () => {
  function io(): RunOptions & { text: { out: string; err: string } } {
    const text = { out: '', err: '' };
    return {
      text,
      env: { STRATUS_API: 'http://127.0.0.1:1/api/v3.1' },
      out: { stdout: (t) => (text.out += t), stderr: (t) => (text.err += t), isTTY: false, color: false },
    };
  }

  it('exits 2 with the list of commands on an unknown command', async () => {
    const o = io();
    expect(await run(['nodes', 'list'], o)).toBe(2);
    expect(o.text.err).toContain('error: unknown command `nodes`');
    expect(o.text.err).toContain('commands:');
    expect(o.text.err).toContain('executions start WORKFLOW -d DEPLOYMENT');
  });

  it('exits 2 with the command usage on an unknown flag', async () => {
    const o = io();
    expect(await run(['executions', 'start', 'install', '-d', 'x', '--wait-forever'], o)).toBe(2);
    expect(o.text.err).toContain("error: Unknown option '--wait-forever'");
    expect(o.text.err).toContain('usage: stratus executions start');
  });

  it('exits 0 on --help, printing to stdout', async () => {
    const o = io();
    expect(await run(['--help'], o)).toBe(0);
    expect(o.text.out).toContain('usage: stratus <command>');
    expect(o.text.err).toBe('');
  });

  it('exits 2 on a bad input before calling the API', async () => {
    const o = io();
    expect(await run(['deployments', 'create', 'd', '-b', 'b', '-i', 'x={"a":'], o)).toBe(2);
    expect(o.text.err).toContain('looks like JSON but does not parse');
  });

  it('exits 2 when the blueprint path does not exist', async () => {
    const o = io();
    expect(await run(['blueprints', 'upload', '/nonexistent/blueprint', '-b', 'x'], o)).toBe(2);
    expect(o.text.err).toContain('blueprint path `/nonexistent/blueprint` does not exist');
  });
});
