import { describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig } from '../../../agent/config.ts';

const required = [
  '--name',
  'web1',
  '--queue-url',
  'http://q/agent-web1',
  '--results-queue-url',
  'http://q/results',
];

describe('parseAgentConfig', () => {
  it('reads flags with defaults for the rest', () => {
    const config = parseAgentConfig(
      [...required, '--concurrency', '8', '--endpoint', 'http://127.0.0.1:4566'],
      {},
    );
    expect(config).toMatchObject({
      name: 'web1',
      queueUrl: 'http://q/agent-web1',
      resultsQueueUrl: 'http://q/results',
      endpoint: 'http://127.0.0.1:4566',
      concurrency: 8,
      visibilityTimeoutSeconds: 60,
    });
  });

  it('falls back to environment variables', () => {
    const config = parseAgentConfig([], {
      STRATUS_AGENT_NAME: 'db',
      STRATUS_AGENT_QUEUE_URL: 'http://q/agent-db',
      STRATUS_RESULTS_QUEUE_URL: 'http://q/results',
      AWS_REGION: 'eu-west-1',
      STRATUS_AGENT_CONCURRENCY: '2',
    });
    expect(config).toMatchObject({ name: 'db', region: 'eu-west-1', concurrency: 2 });
  });

  it('names a missing option and its environment variable', () => {
    expect(() => parseAgentConfig(['--name', 'x'], {})).toThrow(
      'missing --queue-url (or env STRATUS_AGENT_QUEUE_URL)',
    );
  });

  it('refuses a bad concurrency, a bad name and unknown flags', () => {
    expect(() => parseAgentConfig([...required, '--concurrency', '0'], {})).toThrow(
      '--concurrency must be an integer from 1 to 64, got `0`',
    );
    expect(() => parseAgentConfig(['--name', 'a b', ...required.slice(2)], {})).toThrow(
      /--name `a b` is not valid/,
    );
    expect(() => parseAgentConfig([...required, '--secret-key', 'x'], {})).toThrow(ConfigError);
  });

  it('answers help', () => {
    expect(parseAgentConfig(['--help'], {})).toBe('help');
  });
});
