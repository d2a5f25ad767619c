/**
 * Value types and constraints of inputs, properties and workflow parameters (Cloudify semantics).
 * Shared by the parser (schemas and defaults) and by deployment creation (given values).
 */
import type { Json, JsonObject } from '../model.ts';

export const VALUE_TYPES = ['string', 'integer', 'float', 'boolean', 'list', 'dict'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a dict';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a float';
  return `a ${typeof v}`;
}

export function hasType(v: unknown, type: ValueType): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
    case 'dict':
      return isObject(v);
  }
}

export const isValueType = (t: unknown): t is ValueType => VALUE_TYPES.includes(t as ValueType);

export const CONSTRAINT_NAMES = [
  'equal',
  'greater_than',
  'greater_or_equal',
  'less_than',
  'less_or_equal',
  'in_range',
  'valid_values',
  'length',
  'min_length',
  'max_length',
  'pattern',
] as const;
export type ConstraintName = (typeof CONSTRAINT_NAMES)[number];

/** Checks a constraint's own shape; returns a message or null. */
export function constraintShapeError(c: unknown): string | null {
  if (!isObject(c) || Object.keys(c).length !== 1) {
    return `a constraint is a single-key mapping, one of: ${CONSTRAINT_NAMES.join(', ')}`;
  }
  const [name, arg] = Object.entries(c)[0] as [string, unknown];
  if (!CONSTRAINT_NAMES.includes(name as ConstraintName)) {
    return `unknown constraint \`${name}\`; allowed: ${CONSTRAINT_NAMES.join(', ')}`;
  }
  switch (name as ConstraintName) {
    case 'equal':
      return null;
    case 'greater_than':
    case 'greater_or_equal':
    case 'less_than':
    case 'less_or_equal':
      return typeof arg === 'number' ? null : `\`${name}\` takes a number, got ${describe(arg)}`;
    case 'in_range':
      return Array.isArray(arg) &&
        arg.length === 2 &&
        typeof arg[0] === 'number' &&
        typeof arg[1] === 'number' &&
        arg[0] <= arg[1]
        ? null
        : '`in_range` takes a list of two numbers [min, max] with min <= max';
    case 'valid_values':
      return Array.isArray(arg) ? null : `\`valid_values\` takes a list, got ${describe(arg)}`;
    case 'length':
    case 'min_length':
    case 'max_length':
      return typeof arg === 'number' && Number.isInteger(arg) && arg >= 0
        ? null
        : `\`${name}\` takes a non-negative integer, got ${describe(arg)}`;
    case 'pattern':
      if (typeof arg !== 'string')
        return `\`pattern\` takes a regular expression string, got ${describe(arg)}`;
      try {
        new RegExp(arg, 'u');
        return null;
      } catch (err) {
        return `\`pattern\` is not a valid regular expression: ${(err as Error).message}`;
      }
  }
}

function sizeOf(v: unknown): number | null {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  return null;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The constraint (already shape-checked) against a value: a message when violated, else null. */
export function constraintViolation(c: JsonObject, value: unknown): string | null {
  const [name, arg] = Object.entries(c)[0] as [ConstraintName, Json];
  const num = (f: (v: number, a: number) => boolean, what: string) =>
    typeof value === 'number' && f(value, arg as number) ? null : `must be ${what} ${JSON.stringify(arg)}`;
  switch (name) {
    case 'equal':
      return jsonEqual(value, arg) ? null : `must equal ${JSON.stringify(arg)}`;
    case 'greater_than':
      return num((v, a) => v > a, 'greater than');
    case 'greater_or_equal':
      return num((v, a) => v >= a, 'greater than or equal to');
    case 'less_than':
      return num((v, a) => v < a, 'less than');
    case 'less_or_equal':
      return num((v, a) => v <= a, 'less than or equal to');
    case 'in_range': {
      const [lo, hi] = arg as [number, number];
      return typeof value === 'number' && value >= lo && value <= hi
        ? null
        : `must be in range [${lo}, ${hi}]`;
    }
    case 'valid_values':
      return (arg as Json[]).some((x) => jsonEqual(x, value))
        ? null
        : `must be one of ${(arg as Json[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'length':
    case 'min_length':
    case 'max_length': {
      const n = sizeOf(value);
      const a = arg as number;
      if (n === null) return `\`${name}\` applies to a string, list or dict, got ${describe(value)}`;
      if (name === 'length') return n === a ? null : `must have length ${a} (has ${n})`;
      if (name === 'min_length') return n >= a ? null : `must have length at least ${a} (has ${n})`;
      return n <= a ? null : `must have length at most ${a} (has ${n})`;
    }
    case 'pattern':
      if (typeof value !== 'string') return `\`pattern\` applies to a string, got ${describe(value)}`;
      return new RegExp(`^(?:${arg as string})$`, 'u').test(value)
        ? null
        : `must match the pattern ${JSON.stringify(arg)}`;
  }
}

/** Schema of one input, property or parameter, as the checks need it. */
export interface ValueSchema {
  type?: string;
  constraints?: JsonObject[];
}

/** Every problem of `value` against `schema` (type first; constraints only when the type fits). */
export function valueProblems(schema: ValueSchema, value: unknown): string[] {
  if (schema.type !== undefined && isValueType(schema.type) && !hasType(value, schema.type)) {
    return [
      `expected ${schema.type === 'integer' ? 'an integer' : `a ${schema.type}`}, got ${describe(value)}`,
    ];
  }
  const out: string[] = [];
  for (const c of schema.constraints ?? []) {
    const v = constraintViolation(c, value);
    if (v) out.push(v);
  }
  return out;
}
