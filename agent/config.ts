/**
 * The `stratus-agent` command line: flags, or the environment variables named beside each.
 * Credentials are never flags: they come from the AWS SDK's default chain.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface AgentConfig {
  name: string;
  queueUrl: string;
  resultsQueueUrl: string;
  region?: string;
  endpoint?: string;
  concurrency: number;
  visibilityTimeoutSeconds: number;
  workRoot: string;
}

export const USAGE = `Usage: stratus-agent --name NAME --queue-url URL --results-queue-url URL [options]

Runs the operations Stratus sends to this host's queue.

  --name NAME                 agent name (its queue is agent-NAME)      env STRATUS_AGENT_NAME
  --queue-url URL             this agent's SQS queue                    env STRATUS_AGENT_QUEUE_URL
  --results-queue-url URL     Stratus's results queue                   env STRATUS_RESULTS_QUEUE_URL
  --region REGION             AWS region                                env AWS_REGION
  --endpoint URL              SQS endpoint, for emulators               env STRATUS_SQS_ENDPOINT
  --concurrency N             operations run at once (default 4)        env STRATUS_AGENT_CONCURRENCY
  --visibility-timeout SECS   message lease, renewed while running (default 60)
                                                                        env STRATUS_AGENT_VISIBILITY_TIMEOUT
  --work-dir DIR              where operations get their temp dirs      env STRATUS_AGENT_WORK_DIR
  -h, --help                  this text

Credentials come from the AWS SDK's default chain (environment, profile, instance role).
Ctrl-C stops after the running operations finish; a second Ctrl-C abandons them to redelivery.`;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The config, or 'help' when asked for it. Throws ConfigError naming the missing or bad option. */
export function parseAgentConfig(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): AgentConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        name: { type: 'string' },
        'queue-url': { type: 'string' },
        'results-queue-url': { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        concurrency: { type: 'string' },
        'visibility-timeout': { type: 'string' },
        'work-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';
  const str = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' && v !== '' ? v : env[envName] || undefined;
  };
  const required = (flag: string, envName: string): string => {
    const v = str(flag, envName);
    if (!v) throw new ConfigError(`missing --${flag} (or env ${envName})`);
    return v;
  };
  const int = (flag: string, envName: string, fallback: number, min: number, max: number): number => {
    const raw = str(flag, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`--${flag} must be an integer from ${min} to ${max}, got \`${raw}\``);
    }
    return n;
  };
  const name = required('name', 'STRATUS_AGENT_NAME');
  if (!/^[A-Za-z0-9_-]{1,48}$/.test(name)) {
    throw new ConfigError(`--name \`${name}\` is not valid: use 1-48 letters, digits, '-' or '_'`);
  }
  const region = str('region', 'AWS_REGION');
  const endpoint = str('endpoint', 'STRATUS_SQS_ENDPOINT');
  return {
    name,
    queueUrl: required('queue-url', 'STRATUS_AGENT_QUEUE_URL'),
    resultsQueueUrl: required('results-queue-url', 'STRATUS_RESULTS_QUEUE_URL'),
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    concurrency: int('concurrency', 'STRATUS_AGENT_CONCURRENCY', 4, 1, 64),
    visibilityTimeoutSeconds: int('visibility-timeout', 'STRATUS_AGENT_VISIBILITY_TIMEOUT', 60, 10, 43_200),
    workRoot: str('work-dir', 'STRATUS_AGENT_WORK_DIR') ?? join(tmpdir(), 'stratus-agent'),
  };
}
