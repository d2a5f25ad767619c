/**
 * Deployment inputs and workflow parameters from the command line, the way `cfy -i` takes them:
 * `key=value` (repeatable, or several joined by `;`) and YAML/JSON files, merged left to right.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Json, JsonObject } from '../core/model.ts';
import { UsageError } from './command.ts';

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const KEY_VALUE = /^[A-Za-z_][\w.-]*=/;

/**
 * Types a command-line value: numbers, `true`/`false`, `null`, JSON or YAML flow collections
 * (`[a, b]`, `{"k": 1}`) and quoted strings (`"8080"` stays a string); anything else is a string.
 */
export function typedValue(raw: string): Json {
  const v = raw.trim();
  if (v === '') return '';
  if (NUMBER.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  if (v === 'true' || v === 'false') return v === 'true';
  if (v === 'null') return null;
  if (v.startsWith('{') || v.startsWith('[') || (v.startsWith('"') && v.endsWith('"') && v.length > 1)) {
    try {
      return JSON.parse(v) as Json;
    } catch {
      try {
        return parseYaml(v) as Json;
      } catch {
        throw new UsageError(`value \`${raw}\` looks like JSON but does not parse`);
      }
    }
  }
  return raw;
}

/** `a=1;b=x` → {a: 1, b: 'x'}; only split on `;` when every piece is itself `key=value`. */
export function parseKeyValues(arg: string): JsonObject {
  const pieces = arg.split(';').filter((p) => p.trim() !== '');
  const parts = pieces.length > 1 && pieces.every((p) => KEY_VALUE.test(p.trim())) ? pieces : [arg];
  const out: JsonObject = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || key === '') throw new UsageError(`expected key=value, got \`${part}\``);
    out[key] = typedValue(part.slice(eq + 1));
  }
  return out;
}

/** A YAML or JSON file holding one mapping. */
export function readValuesFile(
  path: string,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): JsonObject {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new UsageError(
      `cannot read \`${path}\` (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): expected key=value or a YAML/JSON file`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`\`${path}\` is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`\`${path}\` must hold a mapping of names to values`);
  }
  return doc as JsonObject;
}

/**
 * Merges every `-i`/`-p` argument: `key=value` pieces are typed, anything without `=` is a file.
 * Later arguments override earlier ones.
 */
export function parseValues(args: readonly string[], read?: (p: string) => string): JsonObject {
  const out: JsonObject = {};
  for (const arg of args) {
    Object.assign(out, KEY_VALUE.test(arg.trim()) ? parseKeyValues(arg) : readValuesFile(arg, read));
  }
  return out;
}
