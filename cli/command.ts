/** What a command of the `stratus` CLI is: its arguments, its options, and what it runs with. */
import type { StratusClient } from './client.ts';

/** Wrong command line: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** the command whose usage to show; undefined: the list of commands */
    readonly command?: CommandSpec,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** placeholder shown in the usage, e.g. `ID` */
  value?: string;
  description: string;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal: progress line and colours */
  isTTY: boolean;
  color: boolean;
}

export interface Context {
  client: StratusClient;
  out: Output;
  /** the API base URL tried (for error hints) */
  apiUrl: string;
  tokenSet: boolean;
  /** aborted on Ctrl-C while a command waits on an execution */
  signal: AbortSignal;
  /** a command that waits sets this, so that Ctrl-C stops the wait instead of the process */
  interruptible: { active: boolean };
  /** time between polls while following an execution */
  pollMs: number;
}

export class Args {
  constructor(
    readonly positionals: Record<string, string>,
    private readonly values: Record<string, string | boolean | string[] | undefined>,
  ) {}

  arg(name: string): string {
    const v = this.positionals[name];
    if (v === undefined) throw new Error(`no positional argument ${name}`);
    return v;
  }

  str(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  list(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }
}

export interface CommandSpec {
  group: string;
  name: string;
  /** required positional arguments, in order, as shown in the usage (`PATH`, `ID`) */
  args: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** options that must be given */
  required?: string[];
  run(ctx: Context, args: Args): Promise<number>;
}

/** `--json` on list and get commands: print the API's JSON as it is. */
export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print the raw JSON of the API' },
};
