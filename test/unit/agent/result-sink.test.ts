import { describe, expect, it } from 'vitest';
import { chunkLogs, fitResult, MAX_MESSAGE_BYTES } from '../../../agent/result-sink.ts';
import { type LogEntry, RESULT_MESSAGE, type TaskResult } from '../../../core/messages.ts';

const line = (i: number, size = 1000): LogEntry => ({
  level: 'debug',
  message: `${i}:${'x'.repeat(size)}`,
  timestamp: '2025-01-01T00:00:00.000Z',
});

const result = (over: Partial<TaskResult> = {}): TaskResult => ({
  v: 1,
  kind: 'result',
  execution_id: 'e',
  task_id: 't',
  attempt: 0,
  executor: 'a',
  timestamp: '2025-01-01T00:00:00.000Z',
  outcome: 'succeeded',
  runtime_properties: { web_1: { set: { k: 'v' }, unset: [] } },
  logs: [],
  ...over,
});

const size = (x: unknown) => Buffer.byteLength(JSON.stringify(x));

describe('fitResult', () => {
  it('leaves a result that fits unchanged', () => {
    const r = result({ logs: [line(1)] });
    expect(fitResult(r)).toBe(r);
  });

  it('drops the oldest logs of a result too large for SQS, saying how many', () => {
    const logs = Array.from({ length: 400 }, (_, i) => line(i));
    const fitted = fitResult(result({ logs }));
    expect(size(fitted)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(fitted.outcome).toBe('succeeded');
    expect(fitted.runtime_properties).toEqual({ web_1: { set: { k: 'v' }, unset: [] } });
    expect(fitted.logs[0]?.message).toMatch(/^\d+ earlier log line\(s\) omitted/);
    expect(fitted.logs.at(-1)?.message.startsWith('399:')).toBe(true);
    expect(RESULT_MESSAGE.safeParse(fitted).success).toBe(true);
  });

  it('turns a result whose runtime properties alone are too large into a fatal failure that says why', () => {
    const fitted = fitResult(
      result({ runtime_properties: { web_1: { set: { blob: 'y'.repeat(300_000) }, unset: [] } } }),
    );
    expect(fitted.outcome).toBe('failed_fatal');
    expect(fitted.error?.message).toMatch(/must fit in 250000 bytes/);
    expect(size(fitted)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});

describe('chunkLogs', () => {
  it('splits logs into batches that each fit in a message, keeping order', () => {
    const logs = Array.from({ length: 600 }, (_, i) => line(i));
    const chunks = chunkLogs(logs);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(size(chunk)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(chunks.flat()).toEqual(logs);
  });
});
