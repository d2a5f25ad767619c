import { Hono } from 'hono';
import { BadRequestError } from '../../../core/errors.ts';
import type { ServiceDeps } from '../../../core/services/deps.ts';
import * as events from '../../../core/services/events.ts';
import { LIST_QUERY, listOptions, MAX_PAGE_SIZE, parseInclude, pick, respondList } from '../listing.ts';
import { queryBool, readQuery } from '../validation.ts';
import { EVENT_FIELDS, eventView, OPERATION_FIELDS, operationView } from '../views.ts';

const EVENT_KINDS: events.EventKind[] = ['cloudify_event', 'cloudify_log'];
const TIMESTAMP_SORTS = ['@timestamp', 'timestamp', 'reported_timestamp'];

function requiredExecutionId(q: Record<string, string[]>): string {
  const id = q.execution_id?.[0];
  if (!id) throw new BadRequestError('Query parameter `execution_id` is required');
  return id;
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new BadRequestError(`Query parameter \`${name}\` must be a non-negative integer`);
  return Number(raw);
}

/**
 * Cloudify's time range, `_range=@timestamp,FROM,TO` (either end may be empty; both are included),
 * so that a client following an execution reads only what is new.
 */
export function parseRange(raw: string | undefined): { from?: string; to?: string } {
  if (raw === undefined) return {};
  const [field, from = '', to = '', ...rest] = raw.split(',');
  if (!['@timestamp', 'timestamp'].includes(field ?? '') || rest.length > 0) {
    throw new BadRequestError(
      `Query parameter \`_range\` must be \`@timestamp,FROM,TO\` (ISO 8601 times, either may be empty), got \`${raw}\``,
    );
  }
  const iso = (name: string, v: string): string | undefined => {
    if (v === '') return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new BadRequestError(`\`_range\` ${name} \`${v}\` is not an ISO 8601 time`);
    return new Date(t).toISOString();
  };
  const out: { from?: string; to?: string } = {};
  const f = iso('start', from);
  const t = iso('end', to);
  if (f) out.from = f;
  if (t) out.to = t;
  return out;
}

export function eventRoutes(deps: ServiceDeps): Hono {
  const r = new Hono();

  /** Ordered by time; `type` repeatable, `include_logs=false` keeps to events when no type is named. */
  r.get('/events', async (c) => {
    const q = readQuery(c, {
      execution_id: 'one',
      type: 'many',
      include_logs: 'one',
      _offset: 'one',
      _size: 'one',
      _sort: 'one',
      _include: 'one',
      _range: 'one',
      _all_tenants: 'one',
    });
    const executionId = requiredExecutionId(q);
    const range = parseRange(q._range?.[0]);
    const named = (q.type ?? []).flatMap((t) => t.split(','));
    for (const t of named) {
      if (!EVENT_KINDS.includes(t as events.EventKind)) {
        throw new BadRequestError(`Unknown event type \`${t}\`; allowed: ${EVENT_KINDS.join(', ')}`);
      }
    }
    const types = new Set<events.EventKind>(
      named.length > 0
        ? (named as events.EventKind[])
        : queryBool(q, 'include_logs', true)
          ? EVENT_KINDS
          : ['cloudify_event'],
    );
    if (named.length > 0 && queryBool(q, 'include_logs', false)) types.add('cloudify_log');
    const sort = q._sort?.[0] ?? '@timestamp';
    const descending = sort.startsWith('-');
    if (!TIMESTAMP_SORTS.includes(descending ? sort.slice(1) : sort)) {
      throw new BadRequestError(
        `Events can only be sorted by time: _sort must be one of ${TIMESTAMP_SORTS.join(', ')} (\`-\` for newest first)`,
      );
    }
    const size = Math.min(nonNegativeInt('_size', q._size?.[0], MAX_PAGE_SIZE), MAX_PAGE_SIZE);
    const offset = nonNegativeInt('_offset', q._offset?.[0], 0);
    const include = parseInclude(q._include?.[0], EVENT_FIELDS);
    const page = await events.listEvents(deps, executionId, {
      offset,
      size,
      types: [...types],
      descending,
      ...range,
    });
    return c.json({
      items: page.items.map((e) => pick(eventView(e), include)),
      metadata: { pagination: { total: page.total, size, offset } },
    });
  });

  r.get('/operations', async (c) => {
    const q = readQuery(c, { ...LIST_QUERY, execution_id: 'one' });
    const opts = listOptions(q, OPERATION_FIELDS, 'id');
    const items = await events.listOperations(deps, requiredExecutionId(q));
    return respondList(c, items.map(operationView), opts);
  });

  return r;
}
