/**
 * node_types and relationships: derived_from chains, property schemas and interfaces merged root first.
 */
import type { Json, JsonObject } from '../model.ts';
import { containsFunction } from './intrinsics.ts';
import { type Interfaces, mergeTypeInterfaces, readInterfaces } from './operations.ts';
import { at, type Issues, type Where } from './source.ts';
import {
  constraintShapeError,
  describe,
  isObject,
  isValueType,
  VALUE_TYPES,
  valueProblems,
} from './values.ts';

export interface PropertySchema {
  type?: string;
  default?: Json;
  required: boolean;
  description?: string;
  constraints?: JsonObject[];
  where: Where;
}

export interface Definition {
  name: string;
  raw: Record<string, unknown>;
  where: Where;
}

export interface ResolvedType {
  name: string;
  /** root first, this type last */
  hierarchy: string[];
  properties: Map<string, PropertySchema>;
  /** node types: interfaces; relationships: source_interfaces */
  interfaces: Interfaces;
  /** relationships only */
  targetInterfaces: Interfaces;
  where: Where;
}

const NODE_TYPE_KEYS = ['derived_from', 'properties', 'interfaces', 'description'];
const REL_TYPE_KEYS = ['derived_from', 'properties', 'source_interfaces', 'target_interfaces', 'description'];
const PROPERTY_KEYS = [
  'type',
  'default',
  'required',
  'description',
  'constraints',
  'display_label',
  'hidden',
];

export function readPropertySchemas(raw: unknown, where: Where, issues: Issues): Map<string, PropertySchema> {
  const out = new Map<string, PropertySchema>();
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) {
    issues.add(
      where.file,
      where.path,
      `\`properties\` must be a mapping of property name → schema, got ${describe(raw)}`,
    );
    return out;
  }
  for (const [name, s] of Object.entries(raw)) {
    const w = at(where, name);
    const schema = readValueSchema(s, w, PROPERTY_KEYS, 'property', issues);
    if (schema) out.set(name, schema);
  }
  return out;
}

/** One schema entry (property, input or workflow parameter): type, default, required, constraints. */
export function readValueSchema(
  s: unknown,
  w: Where,
  allowedKeys: readonly string[],
  what: string,
  issues: Issues,
): PropertySchema | null {
  const bad = (k: (string | number)[], msg: string) => issues.add(w.file, [...w.path, ...k], msg);
  if (s === null || s === undefined) return { required: true, where: w };
  if (!isObject(s)) {
    bad([], `a ${what} definition is a mapping {${allowedKeys.join(', ')}}, got ${describe(s)}`);
    return null;
  }
  for (const k of Object.keys(s)) {
    if (!allowedKeys.includes(k))
      bad(
        [k],
        `unknown key \`${k}\` in ${what} \`${String(w.path[w.path.length - 1])}\`; allowed: ${allowedKeys.join(', ')}`,
      );
  }
  const schema: PropertySchema = { required: true, where: w };
  if (s.type !== undefined) {
    if (!isValueType(s.type)) {
      bad(['type'], `unsupported type ${JSON.stringify(s.type)}; allowed: ${VALUE_TYPES.join(', ')}`);
    } else schema.type = s.type;
  }
  if (s.required !== undefined) {
    if (typeof s.required !== 'boolean') bad(['required'], '`required` must be true or false');
    else schema.required = s.required;
  }
  if (s.description !== undefined && s.description !== null) {
    if (typeof s.description !== 'string') bad(['description'], '`description` must be a string');
    else schema.description = s.description;
  }
  if (s.constraints !== undefined && s.constraints !== null) {
    if (!Array.isArray(s.constraints)) bad(['constraints'], '`constraints` must be a list');
    else {
      const ok: JsonObject[] = [];
      s.constraints.forEach((c, i) => {
        const e = constraintShapeError(c);
        if (e) bad(['constraints', i], e);
        else ok.push(c as JsonObject);
      });
      schema.constraints = ok;
    }
  }
  if ('default' in s) {
    schema.default = s.default as Json;
    if (s.default !== null && !containsFunction(s.default)) {
      for (const p of valueProblems(schema, s.default)) bad(['default'], `default value ${p}`);
    }
  }
  return schema;
}

/** Resolves every type of one kind (node types or relationships), reporting unknown parents and cycles. */
export function resolveTypes(
  defs: Map<string, Definition>,
  kind: 'node_types' | 'relationships',
  issues: Issues,
): Map<string, ResolvedType> {
  const out = new Map<string, ResolvedType>();
  const visiting = new Set<string>();
  const keys = kind === 'node_types' ? NODE_TYPE_KEYS : REL_TYPE_KEYS;

  for (const def of defs.values()) {
    if (!isObject(def.raw)) continue;
    for (const k of Object.keys(def.raw)) {
      if (!keys.includes(k))
        issues.add(
          def.where.file,
          [...def.where.path, k],
          `unknown key \`${k}\` in ${kind === 'node_types' ? 'node type' : 'relationship type'}; allowed: ${keys.join(', ')}`,
        );
    }
  }

  const resolve = (name: string): ResolvedType | null => {
    const done = out.get(name);
    if (done) return done;
    const def = defs.get(name);
    if (!def) return null;
    if (visiting.has(name)) {
      issues.add(
        def.where.file,
        [...def.where.path, 'derived_from'],
        `\`derived_from\` chain of \`${name}\` is a cycle`,
      );
      return null;
    }
    visiting.add(name);
    const raw = def.raw;
    let parent: ResolvedType | null = null;
    if (raw.derived_from !== undefined && raw.derived_from !== null) {
      if (typeof raw.derived_from !== 'string') {
        issues.add(def.where.file, [...def.where.path, 'derived_from'], '`derived_from` must name one type');
      } else if (!defs.has(raw.derived_from)) {
        issues.add(
          def.where.file,
          [...def.where.path, 'derived_from'],
          `\`derived_from\` names unknown ${kind === 'node_types' ? 'node type' : 'relationship type'} \`${raw.derived_from}\``,
        );
      } else {
        parent = resolve(raw.derived_from);
      }
    }
    visiting.delete(name);
    const own = readPropertySchemas(raw.properties, at(def.where, 'properties'), issues);
    const properties = new Map(parent?.properties ?? []);
    for (const [k, v] of own) properties.set(k, v);
    const ifaceKey = kind === 'node_types' ? 'interfaces' : 'source_interfaces';
    const ownIfaces = readInterfaces(raw[ifaceKey], at(def.where, ifaceKey), true, issues);
    const ownTarget =
      kind === 'relationships'
        ? readInterfaces(raw.target_interfaces, at(def.where, 'target_interfaces'), true, issues)
        : new Map();
    const t: ResolvedType = {
      name,
      hierarchy: [...(parent?.hierarchy ?? []), name],
      properties,
      interfaces: parent ? mergeTypeInterfaces(ownIfaces, parent.interfaces) : ownIfaces,
      targetInterfaces: parent ? mergeTypeInterfaces(ownTarget, parent.targetInterfaces) : ownTarget,
      where: def.where,
    };
    out.set(name, t);
    return t;
  };
  for (const name of defs.keys()) resolve(name);
  return out;
}
