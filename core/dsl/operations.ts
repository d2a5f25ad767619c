/**
 * Operations: the string and mapping forms, merging along a type chain and onto templates the way
 * Cloudify's dsl-parser does (operation_merger.py), and the script-path check.
 */
import type { Executor, JsonObject, OperationSpec, Operations } from '../model.ts';
import { resolveRelative } from './imports.ts';
import { at, type Issues, type Where } from './source.ts';
import { describe, isObject } from './values.ts';
import { PARAMETER_KEYS } from './workflows.ts';

export const EXECUTORS: readonly Executor[] = ['central_deployment_agent', 'host_agent', 'auto'];
const OP_KEYS = ['implementation', 'inputs', 'executor', 'max_retries', 'retry_interval', 'timeout'];
/** Cloudify's script plugin task: `script_path` input names the script. */
export const SCRIPT_RUNNER_TASK = 'script.script_runner.tasks.run';

export interface RawOperation {
  implementation: string;
  /** in types: input schemas; in templates: values */
  inputs: Record<string, unknown>;
  executor: Executor | null;
  max_retries: number | null;
  retry_interval: number | null;
  timeout: number | null;
  where: Where;
}

export type Interfaces = Map<string, Map<string, RawOperation>>;

const isNoOp = (op: RawOperation) =>
  op.implementation === '' &&
  Object.keys(op.inputs).length === 0 &&
  op.executor === null &&
  op.max_retries === null &&
  op.retry_interval === null &&
  op.timeout === null;

/** Reads `interfaces:` (or source_/target_interfaces). `schemaInputs`: type definitions declare input schemas. */
export function readInterfaces(
  raw: unknown,
  where: Where,
  schemaInputs: boolean,
  issues: Issues,
): Interfaces {
  const out: Interfaces = new Map();
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) {
    issues.add(
      where.file,
      where.path,
      `interfaces must be a mapping of interface name → operations, got ${describe(raw)}`,
    );
    return out;
  }
  for (const [iface, ops] of Object.entries(raw)) {
    const iw = at(where, iface);
    const map = new Map<string, RawOperation>();
    out.set(iface, map);
    if (ops === null || ops === undefined) continue;
    if (!isObject(ops)) {
      issues.add(
        iw.file,
        iw.path,
        `interface \`${iface}\` must be a mapping of operation name → operation, got ${describe(ops)}`,
      );
      continue;
    }
    for (const [name, op] of Object.entries(ops)) {
      const parsed = readOperation(op, at(iw, name), schemaInputs, issues);
      if (parsed) map.set(name, parsed);
    }
  }
  return out;
}

function readOperation(
  raw: unknown,
  where: Where,
  schemaInputs: boolean,
  issues: Issues,
): RawOperation | null {
  const bad = (path: (string | number)[], msg: string) =>
    issues.add(where.file, [...where.path, ...path], msg);
  const op: RawOperation = {
    implementation: '',
    inputs: {},
    executor: null,
    max_retries: null,
    retry_interval: null,
    timeout: null,
    where,
  };
  if (raw === null || raw === undefined) return op;
  if (typeof raw === 'string') return { ...op, implementation: raw.trim() };
  if (!isObject(raw)) {
    bad([], `an operation is a script path or a mapping {${OP_KEYS.join(', ')}}, got ${describe(raw)}`);
    return null;
  }
  for (const k of Object.keys(raw)) {
    if (!OP_KEYS.includes(k)) bad([k], `unknown operation key \`${k}\`; allowed: ${OP_KEYS.join(', ')}`);
  }
  if (raw.implementation !== undefined && raw.implementation !== null) {
    if (typeof raw.implementation !== 'string') bad(['implementation'], '`implementation` must be a string');
    else op.implementation = raw.implementation.trim();
  }
  if (raw.inputs !== undefined && raw.inputs !== null) {
    if (!isObject(raw.inputs)) bad(['inputs'], `\`inputs\` must be a mapping, got ${describe(raw.inputs)}`);
    else {
      op.inputs = raw.inputs;
      if (schemaInputs) {
        for (const [name, schema] of Object.entries(raw.inputs)) {
          if (!isObject(schema)) {
            bad(
              ['inputs', name],
              `an operation input in a type is a schema mapping {type, default, description}, got ${describe(schema)}`,
            );
            continue;
          }
          for (const k of Object.keys(schema)) {
            if (!PARAMETER_KEYS.includes(k)) {
              bad(
                ['inputs', name, k],
                `unknown key \`${k}\` in operation input schema; allowed: ${PARAMETER_KEYS.join(', ')}`,
              );
            }
          }
        }
      }
    }
  }
  if (raw.executor !== undefined && raw.executor !== null) {
    if (!EXECUTORS.includes(raw.executor as Executor)) {
      bad(
        ['executor'],
        `\`executor\` must be one of ${EXECUTORS.join(', ')}, got ${JSON.stringify(raw.executor)}`,
      );
    } else op.executor = raw.executor as Executor;
  }
  const num = (key: 'max_retries' | 'retry_interval' | 'timeout', min: number, integer: boolean) => {
    const v = raw[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      bad(
        [key],
        `\`${key}\` must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`,
      );
    } else op[key] = v;
  };
  num('max_retries', -1, true);
  num('retry_interval', 0, false);
  num('timeout', 0, false);
  return op;
}

/** Derived type over its parent: an operation redefined by the child replaces the parent's entirely. */
export function mergeTypeInterfaces(child: Interfaces, parent: Interfaces): Interfaces {
  const out: Interfaces = new Map();
  for (const [iface, ops] of parent) out.set(iface, new Map(ops));
  for (const [iface, ops] of child) {
    const merged = out.get(iface) ?? new Map<string, RawOperation>();
    for (const [name, op] of ops) merged.set(name, op);
    out.set(iface, merged);
  }
  return out;
}

/** Schema inputs with defaults, then instance inputs; a schema input without default must be given. */
function mergeSchemaInputs(
  schema: Record<string, unknown>,
  given: Record<string, unknown>,
  where: Where,
  issues: Issues,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(schema)) {
    if (isObject(s) && 'default' in s) out[name] = s.default;
  }
  Object.assign(out, given);
  for (const [name, s] of Object.entries(schema)) {
    if (!Object.hasOwn(out, name) && !(isObject(s) && s.required === false)) {
      issues.add(
        where.file,
        where.path,
        `operation input \`${name}\` is required by the type's operation and has no default`,
      );
    }
  }
  return out;
}

/** Template (or relationship instance) over its type, as Cloudify's NodeTemplateNodeTypeOperationMerger. */
export function mergeTemplateOperation(
  template: RawOperation | undefined,
  type: RawOperation | undefined,
  issues: Issues,
): RawOperation {
  if (!type) return template as RawOperation;
  if (!template) return { ...type, inputs: mergeSchemaInputs(type.inputs, {}, type.where, issues) };
  if (isNoOp(template)) return template;
  if (isNoOp(type)) return template;
  const impl = template.implementation || type.implementation;
  const sameImpl = impl === type.implementation;
  const pick = <K extends 'executor' | 'max_retries' | 'retry_interval' | 'timeout'>(
    k: K,
  ): RawOperation[K] => (!sameImpl ? template[k] : template[k] !== null ? template[k] : type[k]);
  return {
    implementation: impl,
    inputs: sameImpl
      ? mergeSchemaInputs(type.inputs, template.inputs, template.where, issues)
      : template.inputs,
    executor: pick('executor'),
    max_retries: pick('max_retries'),
    retry_interval: pick('retry_interval'),
    timeout: pick('timeout'),
    where: template.implementation ? template.where : type.where,
  };
}

export function mergeTemplateInterfaces(template: Interfaces, type: Interfaces, issues: Issues): Interfaces {
  const out: Interfaces = new Map();
  for (const iface of new Set([...type.keys(), ...template.keys()])) {
    const t = type.get(iface) ?? new Map<string, RawOperation>();
    const tpl = template.get(iface) ?? new Map<string, RawOperation>();
    const merged = new Map<string, RawOperation>();
    for (const name of new Set([...t.keys(), ...tpl.keys()])) {
      merged.set(name, mergeTemplateOperation(tpl.get(name), t.get(name), issues));
    }
    out.set(iface, merged);
  }
  return out;
}

export interface ScriptCheck {
  /** archive files (normalized paths) */
  files: ReadonlySet<string>;
  /** folder of the main blueprint in the archive ('' at the root) */
  baseDir: string;
}

/** Resolves a script path written in the blueprint to its archive path, or reports why it cannot. */
function resolveScript(path: string, where: Where, check: ScriptCheck, issues: Issues): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    issues.add(
      where.file,
      where.path,
      `script \`${path}\` is a URL: Stratus runs scripts from the blueprint archive only`,
    );
    return path;
  }
  if (path.startsWith('/')) {
    issues.add(
      where.file,
      where.path,
      `script \`${path}\` is an absolute path: use a path inside the blueprint archive`,
    );
    return path;
  }
  const candidates = [resolveRelative(check.baseDir, path), resolveRelative('', path)];
  for (const c of candidates) if (c !== null && check.files.has(c)) return c;
  const dot = path.indexOf('.');
  const looksLikePlugin = !path.includes('/') && dot > 0 && path.split('.').length >= 3;
  issues.add(
    where.file,
    where.path,
    looksLikePlugin
      ? `operation \`${path}\` maps to plugin \`${path.slice(0, dot)}\`, which Stratus does not have: implementations are script paths in the blueprint archive`
      : `script \`${path}\` is not in the blueprint archive`,
  );
  return path;
}

/** Every declared-but-empty operation shares this one (frozen) spec: plans of large blueprints stay small. */
const NO_OP_SPEC: OperationSpec = Object.freeze({
  implementation: '',
  inputs: Object.freeze({}) as JsonObject,
  executor: 'auto',
  max_retries: null,
  retry_interval: null,
  timeout: null,
}) as OperationSpec;

/** The final operation the plan keeps: implementation is an archive path ('' for a no-op). */
export function toOperationSpec(op: RawOperation, check: ScriptCheck, issues: Issues): OperationSpec {
  let implementation = op.implementation;
  const inputs = { ...op.inputs } as JsonObject;
  if (implementation === SCRIPT_RUNNER_TASK) {
    const sp = inputs.script_path;
    delete inputs.script_path;
    if (typeof sp !== 'string' || sp === '') {
      issues.add(
        op.where.file,
        op.where.path,
        `\`${SCRIPT_RUNNER_TASK}\` needs a \`script_path\` input naming a script in the archive`,
      );
      implementation = '';
    } else implementation = resolveScript(sp, op.where, check, issues);
  } else if (implementation !== '') {
    implementation = resolveScript(implementation, op.where, check, issues);
  }
  if (implementation === '' && isNoOp(op)) return NO_OP_SPEC;
  return {
    implementation,
    inputs,
    executor: op.executor ?? 'auto',
    max_retries: op.max_retries,
    retry_interval: op.retry_interval,
    timeout: op.timeout,
  };
}

/**
 * Operations keyed by full name and, when no other interface of the node has an operation of the
 * same name, by short name (Cloudify drops ambiguous short names).
 */
export function flattenOperations(ifaces: Interfaces, check: ScriptCheck, issues: Issues): Operations {
  const out: Operations = {};
  const shortCount = new Map<string, number>();
  for (const ops of ifaces.values())
    for (const name of ops.keys()) shortCount.set(name, (shortCount.get(name) ?? 0) + 1);
  for (const [iface, ops] of ifaces) {
    for (const [name, op] of ops) {
      const spec = toOperationSpec(op, check, issues);
      out[`${iface}.${name}`] = spec;
      if (shortCount.get(name) === 1) out[name] = spec;
    }
  }
  return out;
}
