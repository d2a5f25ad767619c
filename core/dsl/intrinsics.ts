import { at, type Issues, type Where } from './source.ts';
import { isObject } from './values.ts';

export const FUNCTIONS = ['get_input', 'get_property', 'get_attribute', 'concat'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** Cloudify functions outside the Stratus subset: refused by name instead of passed on as data. */
const UNSUPPORTED = new Set([
  'get_secret',
  'get_capability',
  'get_environment_capability',
  'get_group_capability',
  'get_sys',
  'get_label',
  'get_attributes_list',
  'get_attributes_dict',
  'merge',
  'string_find',
  'string_replace',
  'string_split',
  'string_lower',
  'string_upper',
]);

/** Whether `key` names a Cloudify intrinsic function, supported by Stratus or not. */
export function isFunctionName(key: string): boolean {
  return (FUNCTIONS as readonly string[]).includes(key) || UNSUPPORTED.has(key);
}

export interface FunctionCall {
  name: FunctionName;
  args: unknown;
}

export function asFunction(v: unknown): FunctionCall | null {
  if (!isObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length !== 1) return null;
  const k = keys[0] as string;
  return (FUNCTIONS as readonly string[]).includes(k) ? { name: k as FunctionName, args: v[k] } : null;
}

export function containsFunction(v: unknown, names: readonly FunctionName[] = FUNCTIONS): boolean {
  const f = asFunction(v);
  if (f) return names.includes(f.name) || containsFunction(f.args, names);
  if (Array.isArray(v)) return v.some((x) => containsFunction(x, names));
  if (isObject(v)) return Object.values(v).some((x) => containsFunction(x, names));
  return false;
}

/** Where a value sits decides which functions and modelable entities it may use. */
export type FunctionScope =
  | { kind: 'node_properties'; node: string }
  | { kind: 'node_operation'; node: string }
  | { kind: 'relationship_properties'; node: string; target: string }
  | { kind: 'relationship_operation'; node: string; target: string }
  | { kind: 'output' };

export interface FunctionEnv {
  inputs: ReadonlySet<string>;
  /** node name → declared property names and their values as written (after type defaults) */
  nodeProperties(node: string): Record<string, unknown> | undefined;
  /** records an edge node.prop → node.prop for cycle detection among properties */
  propertyReference?(fromNode: string, fromProp: string, toNode: string, toProp: string): void;
}

const SPECIAL = ['SELF', 'SOURCE', 'TARGET'];

/** Checks every function inside `value`; `propName` is set when `value` is one node property. */
export function checkFunctions(
  value: unknown,
  where: Where,
  scope: FunctionScope,
  env: FunctionEnv,
  issues: Issues,
  propName?: string,
): void {
  const walk = (v: unknown, w: Where): void => {
    if (isObject(v) && Object.keys(v).length === 1) {
      const k = Object.keys(v)[0] as string;
      if (UNSUPPORTED.has(k)) {
        issues.add(
          w.file,
          w.path,
          `intrinsic function \`${k}\` is not supported by Stratus; supported: ${FUNCTIONS.join(', ')}`,
        );
        return;
      }
    }
    const f = asFunction(v);
    if (f) {
      checkCall(f, at(w, f.name), scope, env, issues, propName, walk);
      return;
    }
    if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, at(w, i));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, at(w, k));
  };
  walk(value, where);
}

const isPathSeg = (s: unknown) =>
  typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s) && s >= 0);

function checkCall(
  f: FunctionCall,
  w: Where,
  scope: FunctionScope,
  env: FunctionEnv,
  issues: Issues,
  propName: string | undefined,
  walk: (v: unknown, w: Where) => void,
): void {
  const bad = (msg: string) => issues.add(w.file, w.path, msg);
  switch (f.name) {
    case 'get_input': {
      const args = f.args;
      const path = typeof args === 'string' ? [args] : Array.isArray(args) ? args : null;
      if (!path || path.length === 0 || typeof path[0] !== 'string' || !path.every(isPathSeg)) {
        bad('`get_input` takes an input name, or a list [input_name, key or index, ...]');
        return;
      }
      if (!env.inputs.has(path[0])) {
        const known = [...env.inputs];
        bad(
          `\`get_input\` refers to unknown input \`${path[0]}\`; inputs: ${known.length ? known.join(', ') : 'none'}`,
        );
      }
      return;
    }
    case 'get_property':
    case 'get_attribute': {
      const args = f.args;
      if (
        !Array.isArray(args) ||
        args.length < 2 ||
        typeof args[0] !== 'string' ||
        !args.slice(1).every(isPathSeg)
      ) {
        bad(
          `\`${f.name}\` takes a list [SELF | SOURCE | TARGET | node_name, property, nested key or index, ...]`,
        );
        return;
      }
      if (
        f.name === 'get_attribute' &&
        (scope.kind === 'node_properties' || scope.kind === 'relationship_properties')
      ) {
        bad('`get_attribute` cannot be used in properties: runtime values exist only when operations run');
        return;
      }
      const entity = args[0] as string;
      const node = entityNode(entity, scope, f.name, bad, env);
      if (node === null) return;
      if (f.name === 'get_property') {
        const props = env.nodeProperties(node);
        const first = args[1];
        if (props && typeof first === 'string' && !Object.hasOwn(props, first)) {
          bad(`\`get_property\` refers to property \`${first}\` that node \`${node}\` does not have`);
          return;
        }
        if (props && typeof first === 'string') {
          // a nested path into a literal value must exist; values from functions are checked at deployment
          let cur: unknown = props[first];
          for (const seg of args.slice(2)) {
            if (asFunction(cur)) break;
            const next =
              Array.isArray(cur) && typeof seg === 'number'
                ? cur[seg]
                : isObject(cur) && Object.hasOwn(cur, String(seg))
                  ? cur[String(seg)]
                  : undefined;
            if (next === undefined) {
              bad(
                `\`get_property\` path ${JSON.stringify(args.slice(1))} does not exist in node \`${node}\``,
              );
              return;
            }
            cur = next;
          }
          if (scope.kind === 'node_properties' && propName !== undefined) {
            env.propertyReference?.(scope.node, propName, node, first);
          }
        }
      }
      return;
    }
    case 'concat': {
      if (!Array.isArray(f.args)) {
        bad('`concat` takes a list of values');
        return;
      }
      for (const [i, x] of f.args.entries()) walk(x, at(w, i));
      return;
    }
  }
}

function entityNode(
  entity: string,
  scope: FunctionScope,
  fn: string,
  bad: (m: string) => void,
  env: FunctionEnv,
): string | null {
  if (SPECIAL.includes(entity)) {
    if (entity === 'SELF') {
      if (scope.kind === 'node_properties' || scope.kind === 'node_operation') return scope.node;
      bad(
        scope.kind === 'output'
          ? `\`${fn}\` cannot use SELF in outputs: name the node`
          : `\`${fn}\` cannot use SELF in a relationship: use SOURCE or TARGET`,
      );
      return null;
    }
    if (scope.kind === 'relationship_properties' || scope.kind === 'relationship_operation') {
      return entity === 'SOURCE' ? scope.node : scope.target;
    }
    bad(`\`${fn}\` can use ${entity} only in relationships`);
    return null;
  }
  if (env.nodeProperties(entity) === undefined) {
    bad(`\`${fn}\` refers to unknown node \`${entity}\``);
    return null;
  }
  return entity;
}
