/** node_templates: type, properties against the type's schema, interfaces, relationships, scaling. */
import type { Json, JsonObject, ScalableProperties } from '../model.ts';
import { containsFunction, isFunctionName } from './intrinsics.ts';
import { type Interfaces, mergeTemplateInterfaces, readInterfaces } from './operations.ts';
import { at, type Issues, type Where } from './source.ts';
import type { Definition, PropertySchema, ResolvedType } from './types.ts';
import { describe, isObject, valueProblems } from './values.ts';

const TEMPLATE_KEYS = ['type', 'properties', 'interfaces', 'relationships', 'capabilities', 'instances'];
const RELATIONSHIP_KEYS = ['type', 'target', 'properties', 'source_interfaces', 'target_interfaces'];
const SCALABLE_KEYS = ['default_instances', 'min_instances', 'max_instances'];

export interface TemplateRelationship {
  type: ResolvedType;
  target: string;
  properties: Record<string, unknown>;
  sourceInterfaces: Interfaces;
  targetInterfaces: Interfaces;
  where: Where;
}

export interface Template {
  name: string;
  type: ResolvedType;
  properties: Record<string, unknown>;
  /** merged with the type's */
  interfaces: Interfaces;
  relationships: TemplateRelationship[];
  /** literals, or `{get_input: ...}` left for deployment creation */
  scalable: ScalableProperties;
  where: Where;
}

/** Values for every schema property: given, else default; unknown and missing ones are issues. */
export function propertyValues(
  given: unknown,
  schema: Map<string, PropertySchema>,
  owner: string,
  where: Where,
  issues: Issues,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const bad = (k: (string | number)[], msg: string) => issues.add(where.file, [...where.path, ...k], msg);
  let values: Record<string, unknown> = {};
  if (given !== undefined && given !== null) {
    if (!isObject(given)) bad([], `\`properties\` must be a mapping, got ${describe(given)}`);
    else values = given;
  }
  for (const [k, v] of Object.entries(values)) {
    const s = schema.get(k);
    if (!s) {
      const known = [...schema.keys()];
      bad(
        [k],
        `property \`${k}\` is not declared by ${owner}; declared: ${known.length ? known.join(', ') : 'none'}`,
      );
      continue;
    }
    if (v !== null && !containsFunction(v)) {
      for (const p of valueProblems(s, v)) bad([k], `property \`${k}\` ${p}`);
    }
    out[k] = v;
  }
  for (const [k, s] of schema) {
    if (Object.hasOwn(out, k)) continue;
    if ('default' in s) out[k] = s.default;
    else if (s.required) {
      issues.add(
        where.file,
        where.path.length && where.path[where.path.length - 1] === 'properties'
          ? where.path.slice(0, -1)
          : where.path,
        `required property \`${k}\` of ${owner} is not set and has no default`,
      );
    }
  }
  return out;
}

function hint(typeName: string, builtinImported: boolean): string {
  return typeName.startsWith('cloudify.') && !builtinImported
    ? " (import Cloudify's types.yaml, e.g. `https://cloudify.co/spec/cloudify/7.0.0/types.yaml`, for the built-in types)"
    : '';
}

export function readTemplate(
  def: Definition,
  templateNames: ReadonlySet<string>,
  nodeTypes: Map<string, ResolvedType>,
  relTypes: Map<string, ResolvedType>,
  builtinImported: boolean,
  issues: Issues,
): Template | null {
  const raw = def.raw;
  const w = def.where;
  const bad = (k: (string | number)[], msg: string) => issues.add(w.file, [...w.path, ...k], msg);
  for (const k of Object.keys(raw)) {
    if (!TEMPLATE_KEYS.includes(k))
      bad([k], `unknown key \`${k}\` in node template; allowed: ${TEMPLATE_KEYS.join(', ')}`);
  }
  if (typeof raw.type !== 'string') {
    bad(
      raw.type === undefined ? [] : ['type'],
      `node template \`${def.name}\` needs a \`type\` (a node type name)`,
    );
    return null;
  }
  const type = nodeTypes.get(raw.type);
  if (!type) {
    bad(['type'], `unknown node type \`${raw.type}\`${hint(raw.type, builtinImported)}`);
    // the rest is still read, so that its own problems are reported in the same pass
    readTemplateRelationships(raw, w, templateNames, relTypes, builtinImported, issues);
    readInterfaces(raw.interfaces, at(w, 'interfaces'), false, issues);
    return null;
  }
  const properties = propertyValues(
    raw.properties,
    type.properties,
    `type \`${type.name}\``,
    at(w, 'properties'),
    issues,
  );
  const own = readInterfaces(raw.interfaces, at(w, 'interfaces'), false, issues);
  const interfaces = mergeTemplateInterfaces(own, type.interfaces, issues);

  const relationships = readTemplateRelationships(raw, w, templateNames, relTypes, builtinImported, issues);
  return {
    name: def.name,
    type,
    properties,
    interfaces,
    relationships,
    scalable: readScaling(raw, w, issues),
    where: w,
  };
}

function readTemplateRelationships(
  raw: Record<string, unknown>,
  w: Where,
  templateNames: ReadonlySet<string>,
  relTypes: Parameters<typeof readRelationship>[3],
  builtinImported: boolean,
  issues: Issues,
): TemplateRelationship[] {
  const relationships: TemplateRelationship[] = [];
  if (raw.relationships === undefined || raw.relationships === null) return relationships;
  if (!Array.isArray(raw.relationships)) {
    issues.add(
      w.file,
      [...w.path, 'relationships'],
      `\`relationships\` must be a list, got ${describe(raw.relationships)}`,
    );
    return relationships;
  }
  raw.relationships.forEach((r, i) => {
    const rel = readRelationship(
      r,
      at(w, 'relationships', i),
      templateNames,
      relTypes,
      builtinImported,
      issues,
    );
    if (rel) relationships.push(rel);
  });
  return relationships;
}

function readRelationship(
  r: unknown,
  rw: Where,
  templateNames: ReadonlySet<string>,
  relTypes: Map<string, ResolvedType>,
  builtinImported: boolean,
  issues: Issues,
): TemplateRelationship | null {
  const bad = (k: (string | number)[], msg: string) => issues.add(rw.file, [...rw.path, ...k], msg);
  if (!isObject(r)) {
    bad([], `a relationship is a mapping {type, target, ...}, got ${describe(r)}`);
    return null;
  }
  for (const k of Object.keys(r)) {
    if (!RELATIONSHIP_KEYS.includes(k))
      bad([k], `unknown key \`${k}\` in relationship; allowed: ${RELATIONSHIP_KEYS.join(', ')}`);
  }
  let ok = true;
  let type: ResolvedType | undefined;
  if (typeof r.type !== 'string') {
    bad(r.type === undefined ? [] : ['type'], 'a relationship needs a `type` (a relationship type name)');
    ok = false;
  } else {
    type = relTypes.get(r.type);
    if (!type) {
      bad(['type'], `unknown relationship type \`${r.type}\`${hint(r.type, builtinImported)}`);
      ok = false;
    }
  }
  if (typeof r.target !== 'string') {
    bad(r.target === undefined ? [] : ['target'], 'a relationship needs a `target` (a node template name)');
    ok = false;
  } else if (!templateNames.has(r.target)) {
    bad(['target'], `relationship target \`${r.target}\` is not a node template`);
    ok = false;
  }
  if (!ok || !type) return null;
  const properties = propertyValues(
    r.properties,
    type.properties,
    `relationship type \`${type.name}\``,
    at(rw, 'properties'),
    issues,
  );
  const ct = properties.connection_type;
  if (ct !== undefined && !containsFunction(ct) && ct !== 'all_to_all' && ct !== 'all_to_one') {
    bad(
      ['properties', 'connection_type'],
      `\`connection_type\` must be all_to_all or all_to_one, got ${JSON.stringify(ct)}`,
    );
  }
  if (containsFunction(ct))
    bad(['properties', 'connection_type'], '`connection_type` must be a literal (all_to_all or all_to_one)');
  return {
    type,
    target: r.target as string,
    properties,
    sourceInterfaces: readInterfaces(r.source_interfaces, at(rw, 'source_interfaces'), false, issues),
    targetInterfaces: readInterfaces(r.target_interfaces, at(rw, 'target_interfaces'), false, issues),
    where: rw,
  };
}

type ScalableKey = keyof ScalableProperties;

/** Cloudify's literal for an unbounded max_instances. */
const UNBOUNDED = 'UNBOUNDED';

/**
 * One instance count: a literal integer (default/min >= 0; max >= 1, or -1 / UNBOUNDED), or a get_input
 * call (its arguments are checked with the other functions, in parse.ts). Null when refused.
 */
function readCount(
  key: ScalableKey,
  v: unknown,
  path: (string | number)[],
  allowFunction: boolean,
  bad: (k: (string | number)[], msg: string) => void,
): number | JsonObject | null {
  const isMax = key === 'max_instances';
  const literal = isMax ? 'an integer >= 1, or -1 / UNBOUNDED (unbounded)' : 'an integer >= 0';
  if (isObject(v) && Object.keys(v).length === 1) {
    const fn = Object.keys(v)[0] as string;
    if (isFunctionName(fn) && !allowFunction) {
      bad(
        path,
        `\`instances.deploy\` must be ${literal}: Cloudify evaluates no function there; for a count from an input use \`capabilities.scalable.properties.default_instances: {get_input: ...}\``,
      );
      return null;
    }
    if (fn === 'get_input') return v as JsonObject;
    if (isFunctionName(fn)) {
      bad(path, `\`${key}\` may use only \`get_input\` (evaluated at deployment creation), not \`${fn}\``);
      return null;
    }
  }
  if (isMax && v === UNBOUNDED) return -1;
  if (typeof v === 'number' && Number.isInteger(v) && (isMax ? v === -1 || v >= 1 : v >= 0)) return v;
  bad(
    path,
    `must be ${literal}${allowFunction ? ' or {get_input: ...}' : ''}, got ${JSON.stringify(v as Json)}`,
  );
  return null;
}

function readScaling(raw: Record<string, unknown>, w: Where, issues: Issues): ScalableProperties {
  const bad = (k: (string | number)[], msg: string) => issues.add(w.file, [...w.path, ...k], msg);
  const out: ScalableProperties = { default_instances: 1, min_instances: 0, max_instances: -1 };
  let deploySet = false;
  if (raw.instances !== undefined && raw.instances !== null) {
    if (!isObject(raw.instances)) bad(['instances'], '`instances` must be a mapping {deploy: N}');
    else {
      for (const k of Object.keys(raw.instances))
        if (k !== 'deploy') bad(['instances', k], `unknown key \`${k}\` in instances; allowed: deploy`);
      if (raw.instances.deploy !== undefined) {
        // Cloudify's NodeTemplateInstancesDeploy is a literal int: no get_input there
        const n = readCount('default_instances', raw.instances.deploy, ['instances', 'deploy'], false, bad);
        if (n !== null) out.default_instances = n;
        deploySet = true;
      }
    }
  }
  const caps = raw.capabilities;
  if (caps === undefined || caps === null) return out;
  if (!isObject(caps)) {
    bad(['capabilities'], '`capabilities` must be a mapping {scalable: {properties: {...}}}');
    return out;
  }
  for (const k of Object.keys(caps))
    if (k !== 'scalable') bad(['capabilities', k], `unknown capability \`${k}\`; allowed: scalable`);
  const sc = caps.scalable;
  if (sc === undefined || sc === null) return out;
  if (!isObject(sc)) {
    bad(['capabilities', 'scalable'], '`scalable` must be a mapping {properties: {...}}');
    return out;
  }
  for (const k of Object.keys(sc))
    if (k !== 'properties') bad(['capabilities', 'scalable', k], `unknown key \`${k}\`; allowed: properties`);
  const props = sc.properties;
  if (props === undefined || props === null) return out;
  if (!isObject(props)) {
    bad(['capabilities', 'scalable', 'properties'], '`properties` must be a mapping');
    return out;
  }
  const base = ['capabilities', 'scalable', 'properties'];
  for (const k of Object.keys(props)) {
    if (!SCALABLE_KEYS.includes(k))
      bad([...base, k], `unknown scalable property \`${k}\`; allowed: ${SCALABLE_KEYS.join(', ')}`);
  }
  if (props.default_instances !== undefined && deploySet)
    bad([...base, 'default_instances'], 'set either `instances.deploy` or `default_instances`, not both');
  for (const key of SCALABLE_KEYS as ScalableKey[]) {
    if (props[key] === undefined) continue;
    const n = readCount(key, props[key], [...base, key], true, bad);
    if (n !== null) out[key] = n;
  }
  const problem = boundsProblem(out);
  if (problem) bad(base, problem);
  return out;
}

/** min <= default <= max among the literal counts (the others are checked at deployment creation). */
export function boundsProblem(p: ScalableProperties): string | null {
  const lit = (v: number | JsonObject): number | null => (typeof v === 'number' ? v : null);
  const d = lit(p.default_instances);
  const min = lit(p.min_instances);
  const max = lit(p.max_instances);
  const bounded = max !== null && max !== -1;
  if (d !== null && min !== null && max !== null) {
    if (d < min || (bounded && d > max))
      return `default_instances (${d}) must be between min_instances (${min}) and max_instances (${max === -1 ? 'unbounded' : max})`;
    return null;
  }
  if (d !== null && min !== null && d < min)
    return `default_instances (${d}) must be >= min_instances (${min})`;
  if (bounded && min !== null && min > max) return `min_instances (${min}) must be <= max_instances (${max})`;
  if (bounded && d !== null && d > max) return `default_instances (${d}) must be <= max_instances (${max})`;
  return null;
}
