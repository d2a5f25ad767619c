/**
 * Cloudify list semantics: `_size`, `_offset`, `_sort` (repeatable, `-` for descending), `_include`
 * (comma-separated fields), and the `{items, metadata: {pagination}}` envelope.
 */
import type { Context } from 'hono';
import { BadRequestError } from '../../core/errors.ts';
import { type QuerySpec, queryBool } from './validation.ts';

export const MAX_PAGE_SIZE = 1000;

/** Query parameters every list route accepts (`_all_tenants` is meaningless with one tenant). */
export const LIST_QUERY: QuerySpec = {
  _size: 'one',
  _offset: 'one',
  _sort: 'many',
  _include: 'one',
  _all_tenants: 'one',
  _get_all_results: 'one',
};

export interface ListOptions {
  size: number;
  offset: number;
  sort: { field: string; descending: boolean }[];
  include: string[] | null;
  all: boolean;
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw new BadRequestError(`Query parameter \`${name}\` must be a non-negative integer, got \`${raw}\``);
  return Number(raw);
}

export function parseInclude(raw: string | undefined, fields: readonly string[]): string[] | null {
  if (raw === undefined || raw === '') return null;
  const include = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = include.filter((f) => !fields.includes(f));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `Unknown field${unknown.length > 1 ? 's' : ''} in _include: ${unknown.join(', ')}; allowed: ${fields.join(', ')}`,
      'no_such_include_field_error',
    );
  }
  return include;
}

export function listOptions(
  q: Record<string, string[]>,
  fields: readonly string[],
  defaultSort: string,
): ListOptions {
  const sortSpecs = (q._sort ?? []).length > 0 ? (q._sort ?? []) : [defaultSort];
  const sort = sortSpecs.map((s) => {
    const descending = s.startsWith('-');
    const field = descending ? s.slice(1) : s;
    if (!fields.includes(field)) {
      throw new BadRequestError(`Cannot sort by \`${field}\`; allowed: ${fields.join(', ')}`);
    }
    return { field, descending };
  });
  return {
    size: Math.min(nonNegativeInt('_size', q._size?.[0], MAX_PAGE_SIZE), MAX_PAGE_SIZE),
    offset: nonNegativeInt('_offset', q._offset?.[0], 0),
    sort,
    include: parseInclude(q._include?.[0], fields),
    all: queryBool(q, '_get_all_results', false),
  };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function pick(item: Record<string, unknown>, include: string[] | null): Record<string, unknown> {
  if (!include) return item;
  const out: Record<string, unknown> = {};
  for (const f of include) out[f] = item[f];
  return out;
}

/** Sorts, pages and projects items already shaped for the response. */
export function respondList(c: Context, views: Record<string, unknown>[], opts: ListOptions) {
  const sorted = [...views].sort((x, y) => {
    for (const { field, descending } of opts.sort) {
      const d = compare(x[field], y[field]);
      if (d !== 0) return descending ? -d : d;
    }
    return 0;
  });
  const size = opts.all ? sorted.length : opts.size;
  const page = opts.all ? sorted : sorted.slice(opts.offset, opts.offset + size);
  return c.json({
    items: page.map((v) => pick(v, opts.include)),
    metadata: { pagination: { total: sorted.length, size, offset: opts.all ? 0 : opts.offset } },
  });
}
