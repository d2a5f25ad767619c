/**
 * Follows an execution until it ends: prints its events and logs as they arrive, keeps a progress
 * line on a terminal, and stops waiting (the execution goes on) on Ctrl-C.
 */
import type { Execution, StratusEvent } from '../core/model.ts';
import { type ListResponse, TERMINAL } from './client.ts';
import type { Context, Output } from './command.ts';
import { eventLine, paint } from './output.ts';

/**
 * Events are listed in time order, and one reported late (an agent's clock, a slow result) can land
 * before ones already printed: every poll asks only for events from this long before the newest one
 * seen (`_range`, so the server reads only that much), and prints those not printed yet.
 */
const LOOKBACK_MS = 60_000;
const PAGE = 1000;
const CLOSING = new Set(['workflow_succeeded', 'workflow_failed', 'workflow_cancelled']);
/** polls to wait, after the status turned final, for the closing event to be listed */
const CLOSING_POLLS = 10;

export function hints(id: string): string[] {
  return [
    `hint: see what happened with \`stratus events list -e ${id} --include-logs\``,
    `      and the task graph with \`stratus operations list -e ${id}\``,
  ];
}

class ProgressLine {
  private shown = false;
  constructor(private readonly out: Output) {}

  show(exec: Execution): void {
    if (!this.out.isTTY) return;
    const ops =
      exec.total_operations > 0 ? `${exec.finished_operations}/${exec.total_operations} operations` : '';
    const text = [exec.status, ops].filter(Boolean).join(' · ');
    this.out.stdout(`\r\x1b[2K${paint(this.out, 'gray', `[${exec.workflow_id}] ${text}`)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.stdout('\r\x1b[2K');
    this.shown = false;
  }
}

/** Resolves true when aborted (before or during the wait). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(false);
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class EventFeed {
  private readonly seen = new Set<string>();
  private newest = 0;
  closed = false;

  constructor(
    private readonly ctx: Context,
    private readonly executionId: string,
  ) {}

  /** Every event not printed yet, in list order. */
  async next(): Promise<StratusEvent[]> {
    const fresh: StratusEvent[] = [];
    const since = this.newest > 0 ? new Date(this.newest - LOOKBACK_MS).toISOString() : '';
    let offset = 0;
    for (;;) {
      const q = new URLSearchParams({
        execution_id: this.executionId,
        include_logs: 'true',
        _range: `@timestamp,${since},`,
        _offset: String(offset),
        _size: String(PAGE),
      });
      const page = await this.ctx.client.request<ListResponse<StratusEvent>>('GET', `/events?${q}`);
      for (const e of page.items) {
        if (this.seen.has(e.id)) continue;
        this.seen.add(e.id);
        this.newest = Math.max(this.newest, Date.parse(e.timestamp) || 0);
        if (e.event_type && CLOSING.has(e.event_type)) this.closed = true;
        fresh.push(e);
      }
      offset += page.items.length;
      if (page.items.length < PAGE) return fresh;
    }
  }
}

function summarize(ctx: Context, exec: Execution): number {
  const what = `workflow ${exec.workflow_id} on deployment ${exec.deployment_id}`;
  if (exec.status === 'terminated') {
    ctx.out.stdout(`${paint(ctx.out, 'green', `Execution ${exec.id} terminated`)}: ${what} succeeded\n`);
    return 0;
  }
  if (exec.status === 'failed') {
    ctx.out.stderr(`error: execution ${exec.id} failed (${what}): ${exec.error || 'no error recorded'}\n`);
  } else {
    ctx.out.stderr(`error: execution ${exec.id} was ${exec.status} (${what})\n`);
  }
  ctx.out.stderr(`${hints(exec.id).join('\n')}\n`);
  return 1;
}

/** Prints events until the execution ends: 0 terminated, 1 failed or cancelled, 130 interrupted. */
export async function followExecution(ctx: Context, id: string): Promise<number> {
  ctx.interruptible.active = true;
  const feed = new EventFeed(ctx, id);
  const progress = new ProgressLine(ctx.out);
  const print = (events: StratusEvent[]) => {
    if (events.length === 0) return;
    progress.clear();
    ctx.out.stdout(events.map((e) => `${eventLine(ctx.out, e)}\n`).join(''));
  };
  try {
    let finalPolls = 0;
    for (;;) {
      const exec = await ctx.client.getExecution(id);
      print(await feed.next());
      // the closing event can be listed a moment after the status turns final
      if (TERMINAL.has(exec.status) && (feed.closed || finalPolls++ >= CLOSING_POLLS)) {
        progress.clear();
        return summarize(ctx, exec);
      }
      progress.show(exec);
      if (await sleep(ctx.pollMs, ctx.signal)) {
        progress.clear();
        ctx.out.stderr(
          `\nStopped following: execution ${id} keeps running on the server.\n` +
            `Follow it again with \`stratus executions follow ${id}\`\n`,
        );
        return 130;
      }
    }
  } finally {
    ctx.interruptible.active = false;
  }
}
