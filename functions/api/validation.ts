/**
 * Request parsing with zod, and error texts that name the field and what is allowed.
 * Booleans may arrive as "true"/"false" strings: Cloudify's REST client sends them that way.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../../core/errors.ts';

/** A boolean, or the strings "true"/"false" (any case), defaulting to `fallback` when absent. */
export function flag(fallback: boolean) {
  return z.preprocess((v) => {
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    return v;
  }, z.boolean());
}

/** Cloudify fields Stratus accepts and ignores. */
export const ignored = () => z.unknown().optional();

/** Fields Cloudify's client always sends (as null) for features Stratus lacks: null is fine, a value is not. */
export function nullOnly(feature: string) {
  return z
    .unknown()
    .optional()
    .refine((v) => v === undefined || v === null, { message: `is not supported by Stratus (${feature})` });
}

export const jsonObject = z.record(z.string(), z.unknown());

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, allowed: string[], where: string): string {
  const field = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Unknown ${where} field${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => `\`${field ? `${field}.` : ''}${k}\``)
        .join(', ')}; allowed fields: ${allowed.join(', ')}`;
    case 'invalid_type':
      if (valueAt(data, issue.path) === undefined) return `Missing required ${where} field \`${field}\``;
      return `${where} field \`${field}\` must be ${issue.expected === 'record' ? 'an object' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `${where} field \`${field}\` must be one of: ${issue.values.map(String).join(', ')}`;
    default:
      return `${where} field \`${field}\` ${issue.message}`;
  }
}

/** Parses `data` with an object schema; a failure becomes a 400 naming every offending field. */
export function parseWith<S extends z.ZodObject>(schema: S, data: unknown, where = 'body'): z.output<S> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const allowed = Object.keys(schema.shape);
  const text = res.error.issues.map((i) => describeIssue(i, data, allowed, where)).join('; ');
  throw new BadRequestError(text.charAt(0).toUpperCase() + text.slice(1));
}

/** The body as a JSON object (an empty body counts as `{}`). */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value) => {
      // stored as a double, such an integer would change: refuse it by name rather than keep it wrong
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new BadRequestError(
          `Request body: the number at \`${key}\` is too large to keep exactly (over 2^53); send it as a string`,
        );
      }
      return value;
    });
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequestError('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export type QuerySpec = Record<string, 'one' | 'many'>;

/**
 * The query string checked against `spec`: unknown names are refused (a silently ignored filter
 * would return the wrong items), single-valued names may appear once.
 */
export function readQuery(c: Context, spec: QuerySpec): Record<string, string[]> {
  const all = c.req.queries();
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(all)) {
    const kind = spec[name];
    if (!kind) {
      throw new BadRequestError(
        `Unknown query parameter \`${name}\`; allowed: ${Object.keys(spec).sort().join(', ')}`,
      );
    }
    if (kind === 'one' && values.length > 1)
      throw new BadRequestError(`Query parameter \`${name}\` may appear once`);
    out[name] = values;
  }
  return out;
}

export function queryBool(q: Record<string, string[]>, name: string, fallback: boolean): boolean {
  const v = q[name]?.[0];
  if (v === undefined || v === '') return fallback;
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw new BadRequestError(`Query parameter \`${name}\` must be true or false, got \`${v}\``);
}
