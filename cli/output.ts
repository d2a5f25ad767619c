/** Text the CLI prints: tables, event lines, colours (only on a terminal), JSON. */
import type { StratusEvent } from '../core/model.ts';
import type { Output } from './command.ts';

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(out: Output, colour: Colour | undefined, text: string): string {
  return out.color && colour ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

export function printJson(out: Output, value: unknown): void {
  out.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns; cells never wrap (values are kept on one line). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

export function oneLine(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** `2024-05-01T12:00:00.123Z` → `2024-05-01 12:00:00.123` (UTC, as stored). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/Z$/, '');
}

const EVENT_COLOURS: Partial<Record<string, Colour>> = {
  workflow_succeeded: 'green',
  task_succeeded: 'green',
  workflow_failed: 'red',
  task_failed: 'red',
  workflow_cancelled: 'yellow',
  task_rescheduled: 'yellow',
  workflow_started: 'blue',
};
const LEVEL_COLOURS: Partial<Record<string, Colour>> = { error: 'red', warning: 'yellow', debug: 'gray' };

const PLACE_WIDTH = 28;
const KIND_WIDTH = 19;

/** Where an event happened: `node_instance.operation` (short operation name), or `-`. */
function place(e: StratusEvent): string {
  const op = e.operation ? e.operation.split('.').at(-1) : null;
  if (e.node_instance_id) return op ? `${e.node_instance_id}.${op}` : e.node_instance_id;
  return '-';
}

/** One line per event or log: timestamp, node instance, event type (or log level), message. */
export function eventLine(out: Output, e: StratusEvent): string {
  const isLog = e.type === 'cloudify_log';
  const kind = isLog ? `log:${e.level ?? 'info'}` : (e.event_type ?? 'event');
  const colour = isLog ? LEVEL_COLOURS[e.level ?? 'info'] : EVENT_COLOURS[kind];
  const causes = (e.error_causes ?? [])
    .filter((c) => c.message && !e.message.includes(c.message))
    .map((c) => `\n${c.type}: ${c.message}`)
    .join('');
  // continuation lines of a multi-line message are indented, so that each event starts at the margin
  const text = `${e.message}${causes}`.replace(/\n/g, '\n    ');
  return `${paint(out, 'gray', shortTime(e.timestamp))}  ${place(e).padEnd(PLACE_WIDTH)}  ${paint(out, colour, `${kind.padEnd(KIND_WIDTH)}  ${text}`)}`;
}
