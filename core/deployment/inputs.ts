/** Deployment inputs against the blueprint's input schemas (Cloudify error codes). */

import { isObject, valueProblems } from '../dsl/values.ts';
import { InputError } from '../errors.ts';
import type { InputSpec, Json, JsonObject } from '../model.ts';

export const MISSING_INPUT_CODE = 'missing_required_deployment_input_error';
export const UNKNOWN_INPUT_CODE = 'unknown_deployment_input_error';
export const INPUT_PARAMETERS_CODE = 'deployment_parameters_error';

/**
 * Returns every input with its value (given, else default; null for an optional input without one).
 * Throws one InputError naming every problem; its code is that of the first kind found
 * (missing, then unknown, then wrong value).
 */
export function validateDeploymentInputs(schema: Record<string, InputSpec>, given: unknown): JsonObject {
  if (given !== undefined && given !== null && !isObject(given)) {
    throw new InputError(
      'deployment inputs must be a JSON object of input name → value',
      INPUT_PARAMETERS_CODE,
    );
  }
  const values = (given ?? {}) as JsonObject;
  const missing: string[] = [];
  const unknown: string[] = [];
  const wrong: string[] = [];
  const out: JsonObject = {};
  for (const [name, spec] of Object.entries(schema)) {
    if (Object.hasOwn(values, name)) {
      const v = values[name] as Json;
      for (const p of valueProblems(spec, v)) wrong.push(`input \`${name}\`: ${p}`);
      out[name] = v;
    } else if (spec.default !== undefined) {
      out[name] = spec.default;
    } else if (spec.required === false) {
      out[name] = null;
    } else {
      missing.push(name);
    }
  }
  for (const name of Object.keys(values)) if (!Object.hasOwn(schema, name)) unknown.push(name);

  const problems: string[] = [];
  if (missing.length) {
    problems.push(`required deployment inputs not given: ${missing.map((n) => `\`${n}\``).join(', ')}`);
  }
  if (unknown.length) {
    const known = Object.keys(schema);
    problems.push(
      `unknown deployment inputs: ${unknown.map((n) => `\`${n}\``).join(', ')} (the blueprint declares: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  problems.push(...wrong);
  if (problems.length) {
    const code = missing.length
      ? MISSING_INPUT_CODE
      : unknown.length
        ? UNKNOWN_INPUT_CODE
        : INPUT_PARAMETERS_CODE;
    throw new InputError(problems.join('; '), code);
  }
  return out;
}
