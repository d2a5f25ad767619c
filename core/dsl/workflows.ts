/**
 * Workflows: the built-in mappings (from types.yaml) and blueprint `workflows:` entries that map to them.
 * Plan mappings are normalized to `cloudify.plugins.workflows.<builtin>`.
 */
import type { InputSpec, WorkflowSpec } from '../model.ts';
import { at, type Issues, type Where } from './source.ts';
import { type Definition, readValueSchema } from './types.ts';
import { describe, isObject } from './values.ts';

export const BUILTIN_WORKFLOWS = [
  'install',
  'uninstall',
  'reinstall',
  'execute_operation',
  'start',
  'stop',
  'restart',
  'heal',
  'scale',
] as const;
export type BuiltinWorkflow = (typeof BUILTIN_WORKFLOWS)[number];

export const WORKFLOW_MAPPING_PREFIX = 'cloudify.plugins.workflows.';

/** Cloudify's own function names for heal and scale, accepted as aliases. */
const ALIASES: Record<string, BuiltinWorkflow> = {
  auto_heal_reinstall_node_subgraph: 'heal',
  scale_entity: 'scale',
};

const WORKFLOW_KEYS = ['mapping', 'parameters', 'description', 'is_cascading', 'availability_rules'];
export const PARAMETER_KEYS = [
  'type',
  'default',
  'description',
  'required',
  'constraints',
  'display_label',
  'hidden',
];

/** The built-in a mapping names (`default_workflows.cloudify.plugins.workflows.install` → install), or null. */
export function builtinOfMapping(mapping: string): BuiltinWorkflow | null {
  const m = /^(?:default_workflows\.)?cloudify\.plugins\.workflows\.([a-z_]+)$/.exec(mapping);
  if (!m) return null;
  const name = m[1] as string;
  if ((BUILTIN_WORKFLOWS as readonly string[]).includes(name)) return name as BuiltinWorkflow;
  return ALIASES[name] ?? null;
}

export function readWorkflow(
  def: Definition | { name: string; raw: unknown; where: Where },
  issues: Issues,
): WorkflowSpec | null {
  const w = def.where;
  const raw = def.raw;
  const bad = (k: (string | number)[], msg: string) => issues.add(w.file, [...w.path, ...k], msg);
  let mapping: unknown;
  let params: unknown;
  if (typeof raw === 'string') mapping = raw;
  else if (isObject(raw)) {
    for (const k of Object.keys(raw)) {
      if (!WORKFLOW_KEYS.includes(k))
        bad([k], `unknown key \`${k}\` in workflow; allowed: ${WORKFLOW_KEYS.join(', ')}`);
    }
    mapping = raw.mapping;
    params = raw.parameters;
  } else {
    bad([], `a workflow is a mapping string or {mapping, parameters}, got ${describe(raw)}`);
    return null;
  }
  if (typeof mapping !== 'string' || mapping === '') {
    bad(typeof raw === 'string' ? [] : ['mapping'], 'a workflow needs a `mapping` string');
    return null;
  }
  const builtin = builtinOfMapping(mapping);
  if (!builtin) {
    bad(
      typeof raw === 'string' ? [] : ['mapping'],
      `workflow mapping \`${mapping}\` is not supported: Stratus runs the built-in workflows (default_workflows.cloudify.plugins.workflows.<${BUILTIN_WORKFLOWS.join(' | ')}>)`,
    );
    return null;
  }
  const parameters: Record<string, InputSpec> = {};
  if (params !== undefined && params !== null) {
    if (!isObject(params)) bad(['parameters'], `\`parameters\` must be a mapping, got ${describe(params)}`);
    else {
      for (const [name, p] of Object.entries(params)) {
        const s = readValueSchema(p, at(w, 'parameters', name), PARAMETER_KEYS, 'parameter', issues);
        if (!s) continue;
        const spec: InputSpec = {};
        if (s.type !== undefined) spec.type = s.type;
        if (s.description !== undefined) spec.description = s.description;
        if ('default' in s) spec.default = s.default ?? null;
        if (isObject(p) && p.required !== undefined) spec.required = s.required;
        if (s.constraints?.length) spec.constraints = s.constraints;
        parameters[name] = spec;
      }
    }
  }
  return { operation: `${WORKFLOW_MAPPING_PREFIX}${builtin}`, parameters };
}
