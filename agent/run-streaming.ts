/**
 * Runs an operation while its logs stream to the results queue, in order. Logs whose send fails are
 * kept and go with the result (which is sent, and retried, anyway). Shared by the host agent and the
 * central executor.
 */
import type { LogEntry, TaskMessage, TaskResult } from '../core/messages.ts';
import type { ResultSink } from '../core/ports.ts';
import { chunkLogs, logMessage } from './result-sink.ts';
import { runOperation } from './runner.ts';

export async function runStreaming(
  task: TaskMessage,
  opts: {
    executor: string;
    workRoot: string;
    sink: ResultSink;
    signal?: AbortSignal;
    logFlushIntervalMs?: number;
    onSendError?: (err: unknown) => void;
  },
): Promise<TaskResult> {
  let seq = 0;
  let sending = Promise.resolve();
  const unsent: LogEntry[] = [];
  const onLogs = (logs: LogEntry[]) => {
    sending = sending.then(async () => {
      for (const chunk of chunkLogs(logs)) {
        try {
          await opts.sink.sendResult(logMessage(task, opts.executor, seq++, chunk));
        } catch (err) {
          unsent.push(...chunk);
          opts.onSendError?.(err);
        }
      }
    });
  };
  const result = await runOperation(task, {
    executor: opts.executor,
    workRoot: opts.workRoot,
    onLogs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logFlushIntervalMs === undefined ? {} : { logFlushIntervalMs: opts.logFlushIntervalMs }),
  });
  await sending;
  return unsent.length > 0 ? { ...result, logs: [...unsent, ...result.logs] } : result;
}
