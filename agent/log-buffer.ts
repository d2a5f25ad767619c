/**
 * Logs of one operation waiting to be sent. Bounded, because they travel in SQS messages (256 KiB):
 * past the bound the oldest lines are dropped and a warning says how many.
 */
import type { LogEntry } from '../core/messages.ts';

const MAX_LINE_CHARS = 8 * 1024;

export class LogBuffer {
  readonly #maxBytes: number;
  #entries: LogEntry[] = [];
  #bytes = 0;
  #omitted = 0;

  constructor(maxBytes = 96 * 1024) {
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.length + (this.#omitted > 0 ? 1 : 0);
  }

  push(level: LogEntry['level'], message: string): void {
    const text =
      message.length > MAX_LINE_CHARS
        ? `${message.slice(0, MAX_LINE_CHARS)}… (${message.length - MAX_LINE_CHARS} more characters)`
        : message;
    const entry: LogEntry = { level, message: text, timestamp: new Date().toISOString() };
    this.#entries.push(entry);
    this.#bytes += cost(entry);
    while (this.#bytes > this.#maxBytes && this.#entries.length > 1) {
      const dropped = this.#entries.shift()!;
      this.#bytes -= cost(dropped);
      this.#omitted++;
    }
  }

  /** Everything pending (oldest first), emptying the buffer. */
  take(): LogEntry[] {
    const out = this.#entries;
    if (this.#omitted > 0) {
      out.unshift({
        level: 'warning',
        message: `${this.#omitted} earlier log line(s) omitted: too much output to send`,
        timestamp: out[0]?.timestamp ?? new Date().toISOString(),
      });
    }
    this.#entries = [];
    this.#bytes = 0;
    this.#omitted = 0;
    return out;
  }
}

function cost(entry: LogEntry): number {
  // JSON overhead per entry is ~60 bytes; multi-byte characters count up to 3 bytes when escaped
  return Buffer.byteLength(entry.message) + 80;
}
