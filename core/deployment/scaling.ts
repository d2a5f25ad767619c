/**
 * Instance counts of a node at deployment creation. The blueprint may take default/min/max_instances
 * from inputs (`{get_input: ...}`), so the parser checks only literals; here every count is known and
 * checked: integers (max -1: unbounded), and min <= default <= max.
 */
import { resolveInput } from '../dsl/functions.ts';
import { asFunction } from '../dsl/intrinsics.ts';
import { boundsProblem } from '../dsl/templates.ts';
import { InputError } from '../errors.ts';
import type { Json, JsonObject, PlanNode, ScalableProperties } from '../model.ts';
import { INPUT_PARAMETERS_CODE } from './inputs.ts';

export interface InstanceCounts {
  default_instances: number;
  min_instances: number;
  max_instances: number;
}

const KEYS = ['default_instances', 'min_instances', 'max_instances'] as const;

/** `input \`n\`` or `input \`cfg\` at ["web","count"]`, for messages. */
function inputLabel(args: unknown): string {
  const path = typeof args === 'string' ? [args] : Array.isArray(args) ? args : [String(args)];
  const [name, ...rest] = path;
  return `input \`${String(name)}\`${rest.length ? ` at ${JSON.stringify(rest)}` : ''}`;
}

export function resolveInstanceCounts(
  node: Pick<PlanNode, 'id' | 'capabilities'>,
  inputs: JsonObject,
): InstanceCounts {
  const props: ScalableProperties = node.capabilities.scalable.properties;
  const where = (key: string) => `node \`${node.id}\` capabilities.scalable.properties.${key}`;
  const sources = new Map<string, string>();
  const out: InstanceCounts = { default_instances: 1, min_instances: 0, max_instances: -1 };
  for (const key of KEYS) {
    const raw = props[key];
    if (typeof raw === 'number') {
      out[key] = raw;
      continue;
    }
    const f = asFunction(raw);
    if (f?.name !== 'get_input') {
      // the parser lets only literals and get_input through; a stored plan from elsewhere may not
      throw new InputError(`${where(key)} must be an integer or {get_input: ...}`, INPUT_PARAMETERS_CODE);
    }
    const label = inputLabel(f.args);
    let v: Json;
    try {
      v = resolveInput(inputs, f.args);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new InputError(`${where(key)} (from ${label}): ${msg}`, INPUT_PARAMETERS_CODE);
    }
    const isMax = key === 'max_instances';
    const n = isMax && v === 'UNBOUNDED' ? -1 : v;
    const ok = typeof n === 'number' && Number.isInteger(n) && (isMax ? n === -1 || n >= 1 : n >= 0);
    if (!ok) {
      const want = isMax ? 'an integer >= 1, or -1 / UNBOUNDED (unbounded)' : 'an integer >= 0';
      throw new InputError(
        `${where(key)} (from ${label}) must be ${want}, got ${JSON.stringify(v)}`,
        INPUT_PARAMETERS_CODE,
      );
    }
    out[key] = n as number;
    sources.set(key, label);
  }
  const problem = boundsProblem(out);
  if (problem) {
    const from = [...sources].map(([k, label]) => `${k} from ${label}`).join(', ');
    throw new InputError(`node \`${node.id}\`: ${problem}${from ? ` (${from})` : ''}`, INPUT_PARAMETERS_CODE);
  }
  return out;
}
