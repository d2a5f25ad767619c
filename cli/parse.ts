/** Turns argv into a command and its arguments (node:util parseArgs), and renders the usage texts. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { Args, type CommandSpec, type OptionSpec, UsageError } from './command.ts';

export const DEFAULT_API = 'http://127.0.0.1:8787/api/v3.1';

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  api: {
    type: 'string',
    value: 'URL',
    description: `API base URL (env STRATUS_API; default ${DEFAULT_API})`,
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export type Parsed =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: CommandSpec; args: Args; api: string | undefined };

/** The group and command names: the first two words that are not options (nor `--api`'s value). */
function splitCommand(argv: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (words.length < 2 && a === '--api') {
      rest.push(a);
      if (i + 1 < argv.length) rest.push(argv[++i]!);
    } else if (words.length < 2 && !a.startsWith('-')) words.push(a);
    else rest.push(a);
  }
  return { words, rest };
}

export function parseCommand(argv: readonly string[], commands: readonly CommandSpec[]): Parsed {
  const { words, rest } = splitCommand(argv);
  const wantsHelp = rest.includes('-h') || rest.includes('--help');
  const [group, name] = words;
  if (group === undefined || group === 'help') {
    if (wantsHelp || group === 'help') return { kind: 'help', text: mainUsage(commands) };
    throw new UsageError('missing command');
  }
  const inGroup = commands.filter((c) => c.group === group);
  if (inGroup.length === 0) throw new UsageError(`unknown command \`${group}\``);
  const command = inGroup.find((c) => c.name === name);
  if (!command) {
    if (name === undefined && wantsHelp) return { kind: 'help', text: mainUsage(inGroup) };
    throw new UsageError(
      name === undefined
        ? `\`${group}\` needs a command: ${inGroup.map((c) => c.name).join(', ')}`
        : `unknown command \`${group} ${name}\`; \`${group}\` has: ${inGroup.map((c) => c.name).join(', ')}`,
    );
  }

  const options = { ...command.options, ...GLOBAL_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ) as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // node's message goes on about `--`; its first sentence names the problem
    throw new UsageError((err as Error).message.split(/\.\s/)[0]!, command);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) return { kind: 'help', text: commandUsage(command) };

  const given = parsed.positionals;
  if (given.length < command.args.length) {
    throw new UsageError(`missing ${command.args.slice(given.length).join(' ')}`, command);
  }
  if (given.length > command.args.length) {
    throw new UsageError(`unexpected argument \`${given[command.args.length]}\``, command);
  }
  for (const req of command.required ?? []) {
    if (values[req] === undefined) throw new UsageError(`missing ${flagName(req, options[req]!)}`, command);
  }
  const positionals = Object.fromEntries(command.args.map((a, i) => [a, given[i]!]));
  return {
    kind: 'run',
    command,
    args: new Args(positionals, values),
    api: typeof values.api === 'string' ? values.api : undefined,
  };
}

function flagName(name: string, o: OptionSpec): string {
  return o.short ? `-${o.short}/--${name}` : `--${name}`;
}

function synopsis(c: CommandSpec): string {
  const req = (c.required ?? []).map((r) => {
    const o = c.options[r]!;
    return `${o.short ? `-${o.short}` : `--${r}`} ${o.value ?? 'VALUE'}`;
  });
  const hasMore = Object.keys(c.options).some((k) => !(c.required ?? []).includes(k));
  return ['stratus', c.group, c.name, ...c.args, ...req, ...(hasMore ? ['[options]'] : [])].join(' ');
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

export function commandUsage(c: CommandSpec): string {
  return [
    `usage: ${synopsis(c)}`,
    '',
    c.summary,
    '',
    'options:',
    ...optionLines({ ...c.options, ...GLOBAL_OPTIONS }),
  ].join('\n');
}

export function mainUsage(commands: readonly CommandSpec[]): string {
  const rows = commands.map(
    (c) => [synopsis(c).replace(/^stratus /, ''), c.summary.split('\n')[0]!] as const,
  );
  const width = Math.max(...rows.map(([s]) => s.length));
  return [
    'usage: stratus <command> [options]',
    '',
    'commands:',
    ...rows.map(([s, d]) => `  ${s.padEnd(width)}  ${d}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'environment:',
    '  STRATUS_API    API base URL (the --api option wins)',
    '  STRATUS_TOKEN  API token (an environment variable only, so that it stays out of shell history)',
    '',
    'Run `stratus <group> <command> --help` for the options of one command.',
  ].join('\n');
}
