/**
 * Evaluating intrinsic functions. Deployment creation resolves the static ones (get_input,
 * get_property, concat of static parts); get_attribute is resolved when an operation is sent, and
 * outputs when they are read.
 */
import { InputError, StratusError } from '../errors.ts';
import type { Json, JsonObject } from '../model.ts';
import { asFunction } from './intrinsics.ts';
import { isObject } from './values.ts';

/** A function could not be evaluated (a missing key in a nested path, an ambiguous node). */
export class FunctionEvaluationError extends StratusError {
  constructor(message: string) {
    super(message, { errorCode: 'function_evaluation_error', status: 400 });
  }
}

type Seg = string | number;

/** Follows `path` into `value`; undefined when some step is missing. */
export function getPath(value: unknown, path: readonly Seg[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isObject(cur)) cur = Object.hasOwn(cur, String(seg)) ? cur[String(seg)] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Cloudify's concat joins Python str() of each part. */
function concatPart(v: Json): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** Maps functions inside `value`; unchanged subtrees are returned as they are (no copies). */
function mapJson(value: Json, f: (v: Json) => Json | undefined): Json {
  const r = f(value);
  if (r !== undefined) return r;
  if (Array.isArray(value)) {
    let out: Json[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as Json;
      const m = mapJson(v, f);
      if (m !== v && out === null) out = value.slice(0, i);
      if (out !== null) out.push(m);
    }
    return out ?? value;
  }
  if (isObject(value)) {
    let out: JsonObject | null = null;
    const entries = Object.entries(value);
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i] as [string, Json];
      const m = mapJson(v, f);
      if (m !== v && out === null) out = Object.fromEntries(entries.slice(0, i)) as JsonObject;
      if (out !== null) out[k] = m;
    }
    return out ?? value;
  }
  return value;
}

function concatOrKeep(parts: Json[]): Json {
  return parts.some((p) => asFunction(p) !== null) ? { concat: parts } : parts.map(concatPart).join('');
}

// ---------- static resolution (deployment creation) ----------

export interface StaticContext {
  inputs: JsonObject;
  /** SELF (node scope) or SOURCE (relationship scope) */
  self?: string;
  target?: string;
  relationship?: boolean;
  /** a node's property, itself fully resolved */
  property(node: string, name: string): Json | undefined;
}

export function resolveInput(inputs: JsonObject, args: unknown): Json {
  const path = (typeof args === 'string' ? [args] : (args as Seg[])) as Seg[];
  const [name, ...rest] = path as [string, ...Seg[]];
  const v = getPath(inputs[name], rest);
  if (!Object.hasOwn(inputs, name)) throw new InputError(`get_input: input \`${name}\` has no value`);
  if (v === undefined) {
    throw new InputError(
      `get_input: input \`${name}\` has no ${JSON.stringify(rest)} (path ${JSON.stringify(path)})`,
    );
  }
  return v as Json;
}

function entityNode(entity: string, ctx: { self?: string; target?: string; relationship?: boolean }): string {
  if (entity === 'SELF') return ctx.self as string;
  if (entity === 'SOURCE') return ctx.self as string;
  if (entity === 'TARGET') return ctx.target as string;
  return entity;
}

/** Resolves get_input, get_property and concat; get_attribute (and concat around it) stays. */
export function resolveStatic(value: Json, ctx: StaticContext): Json {
  return mapJson(value, (v) => {
    const f = asFunction(v);
    if (!f) return undefined;
    switch (f.name) {
      case 'get_input':
        return resolveInput(ctx.inputs, f.args);
      case 'get_property': {
        const [entity, name, ...rest] = f.args as [string, string, ...Seg[]];
        const node = entityNode(entity, ctx);
        const base = ctx.property(node, name);
        const r = base === undefined ? undefined : getPath(base, rest);
        if (r === undefined) {
          throw new InputError(
            `get_property: node \`${node}\` has no property ${JSON.stringify([name, ...rest])}`,
          );
        }
        return r as Json;
      }
      case 'get_attribute':
        return v;
      case 'concat':
        return concatOrKeep((f.args as Json[]).map((p) => resolveStatic(p, ctx)));
    }
  });
}

// ---------- runtime resolution (operation send time, outputs) ----------

export interface AttributeNode {
  id: string;
  properties: JsonObject;
}
export interface AttributeInstance {
  id: string;
  runtime_properties: JsonObject;
  host_id?: string | null;
}
export interface AttributeEntity {
  node: AttributeNode;
  instance: AttributeInstance;
}

/**
 * What get_attribute needs: the instance the operation runs for (`self`; for relationship operations
 * also `source` and `target`), and every node by name with its instances. `inputs` lets outputs use get_input.
 */
export interface AttributeContext {
  self?: AttributeEntity;
  source?: AttributeEntity;
  target?: AttributeEntity;
  lookup(nodeName: string): { node: AttributeNode; instances: readonly AttributeInstance[] } | undefined;
  inputs?: JsonObject;
}

function attributeOf(e: AttributeEntity, path: Seg[]): Json {
  const [first, ...rest] = path as [string, ...Seg[]];
  if (Object.hasOwn(e.instance.runtime_properties, String(first))) {
    return (getPath(e.instance.runtime_properties[String(first)], rest) ?? null) as Json;
  }
  if (Object.hasOwn(e.node.properties, String(first))) {
    return (getPath(e.node.properties[String(first)], rest) ?? null) as Json;
  }
  if (first === 'node_instance_id' && rest.length === 0) return e.instance.id;
  return null;
}

function entity(name: string, ctx: AttributeContext, fn: string): AttributeEntity {
  const special =
    name === 'SELF' ? ctx.self : name === 'SOURCE' ? ctx.source : name === 'TARGET' ? ctx.target : undefined;
  if (name === 'SELF' || name === 'SOURCE' || name === 'TARGET') {
    if (!special) throw new FunctionEvaluationError(`${fn}: ${name} is not available here`);
    return special;
  }
  const found = ctx.lookup(name);
  if (!found) throw new FunctionEvaluationError(`${fn}: unknown node \`${name}\``);
  const { node, instances } = found;
  if (instances.length === 1) return { node, instance: instances[0] as AttributeInstance };
  // several instances: the one on the same host as the caller, as Cloudify does for co-located nodes
  const host = ctx.self?.instance.host_id;
  if (host) {
    const same = instances.filter((i) => i.host_id === host);
    if (same.length === 1) return { node, instance: same[0] as AttributeInstance };
  }
  throw new FunctionEvaluationError(
    `${fn}: node \`${name}\` has ${instances.length} instances; cannot tell which one to read`,
  );
}

/** Resolves every function in `value` with runtime data (get_attribute; the static ones too, if any remain). */
export function resolveAttributes(value: Json, ctx: AttributeContext): Json {
  return mapJson(value, (v) => {
    const f = asFunction(v);
    if (!f) return undefined;
    switch (f.name) {
      case 'get_attribute': {
        const [name, ...path] = f.args as [string, ...Seg[]];
        return attributeOf(entity(name, ctx, 'get_attribute'), path);
      }
      case 'get_property': {
        const [name, ...path] = f.args as [string, ...Seg[]];
        const e =
          name === 'SELF' || name === 'SOURCE' || name === 'TARGET'
            ? entity(name, ctx, 'get_property').node
            : ctx.lookup(name)?.node;
        if (!e) throw new FunctionEvaluationError(`get_property: unknown node \`${name}\``);
        const r = getPath(e.properties, path);
        if (r === undefined)
          throw new FunctionEvaluationError(
            `get_property: node \`${e.id}\` has no property ${JSON.stringify(path)}`,
          );
        return resolveAttributes(r as Json, ctx);
      }
      case 'get_input': {
        if (!ctx.inputs)
          throw new FunctionEvaluationError('get_input: deployment inputs are not available here');
        return resolveInput(ctx.inputs, f.args);
      }
      case 'concat':
        return concatOrKeep((f.args as Json[]).map((p) => resolveAttributes(p, ctx)));
    }
  });
}

/** Outputs as `GET /deployments/{id}/outputs` serves them: name → value. */
export function evaluateOutputs(
  outputs: Record<string, { description?: string; value: Json }>,
  ctx: AttributeContext,
): JsonObject {
  const out: JsonObject = {};
  for (const [name, o] of Object.entries(outputs)) out[name] = resolveAttributes(o.value, ctx);
  return out;
}
