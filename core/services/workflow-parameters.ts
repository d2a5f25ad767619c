/**
 * Merges execution parameters with a workflow's parameter schema the way Cloudify does: declared
 * defaults fill the gaps, missing mandatory parameters and (unless allowed) undeclared ones are
 * refused by name, declared types and constraints are checked.
 */

import { valueProblems } from '../dsl/values.ts';
import { BadRequestError } from '../errors.ts';
import type { InputSpec, JsonObject } from '../model.ts';

const CODE = 'illegal_execution_parameters_error';

export function mergeWorkflowParameters(
  workflowId: string,
  schema: Record<string, InputSpec>,
  given: JsonObject,
  allowCustom: boolean,
): JsonObject {
  const undeclared = Object.keys(given).filter((name) => !(name in schema));
  if (undeclared.length > 0 && !allowCustom) {
    throw new BadRequestError(
      `Workflow \`${workflowId}\` does not have the following parameters declared: ${undeclared.join(', ')}. ` +
        `Declared parameters: ${Object.keys(schema).join(', ') || '(none)'}. ` +
        'Remove these parameters or set allow_custom_parameters to true',
      CODE,
    );
  }
  const merged: JsonObject = { ...given };
  const missing: string[] = [];
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const value = given[name];
    if (value === undefined) {
      if (spec.default !== undefined) merged[name] = spec.default;
      else if (spec.required !== false) missing.push(name);
      continue;
    }
    // same type and constraint rules as deployment inputs
    for (const p of valueProblems(spec, value)) problems.push(`parameter \`${name}\`: ${p}`);
  }
  if (missing.length > 0) {
    throw new BadRequestError(
      `Workflow \`${workflowId}\` must be provided with the following parameters to execute: ${missing.join(', ')}`,
      CODE,
    );
  }
  if (problems.length > 0) {
    throw new BadRequestError(`Workflow \`${workflowId}\`: ${problems.join('; ')}`, CODE);
  }
  return merged;
}
