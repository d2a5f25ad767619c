import { describe, expect, it } from 'vitest';
import { validateDeploymentInputs } from '../../../core/deployment/inputs.ts';
import { InputError } from '../../../core/errors.ts';
import type { InputSpec, JsonObject } from '../../../core/model.ts';

function refusal(schema: Record<string, InputSpec>, given: JsonObject): InputError {
  try {
    validateDeploymentInputs(schema, given);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected the inputs to be refused');
}

describe('validateDeploymentInputs', () => {
  it('applies defaults, keeps given values, and gives null to optional inputs without a default', () => {
    const schema: Record<string, InputSpec> = {
      a: { type: 'integer', default: 1 },
      b: { type: 'string' },
      c: { required: false },
    };
    expect(validateDeploymentInputs(schema, { b: 'x' })).toEqual({ a: 1, b: 'x', c: null });
  });

  it('names every missing required input with the Cloudify error code', () => {
    const err = refusal({ a: {}, b: { type: 'string' }, c: { default: 1 } }, {});
    expect(err.errorCode).toBe('missing_required_deployment_input_error');
    expect(err.message).toContain('`a`, `b`');
  });

  it('names unknown inputs', () => {
    const err = refusal({ a: { default: 1 } }, { zz: 1 });
    expect(err.errorCode).toBe('unknown_deployment_input_error');
    expect(err.message).toContain('`zz`');
  });

  it.each([
    [{ type: 'integer' }, 1.5, 'expected an integer, got a float'],
    [{ type: 'float' }, 'x', 'expected a float, got a string'],
    [{ type: 'boolean' }, 'true', 'expected a boolean, got a string'],
    [{ type: 'list' }, {}, 'expected a list, got a dict'],
    [{ type: 'dict' }, [], 'expected a dict, got a list'],
    [{ constraints: [{ valid_values: ['a', 'b'] }] }, 'c', 'must be one of "a", "b"'],
    [{ constraints: [{ in_range: [1, 5] }] }, 9, 'must be in range [1, 5]'],
    [{ constraints: [{ min_length: 3 }] }, 'ab', 'must have length at least 3 (has 2)'],
    [{ constraints: [{ max_length: 1 }] }, [1, 2], 'must have length at most 1 (has 2)'],
    [{ constraints: [{ length: 2 }] }, { a: 1 }, 'must have length 2 (has 1)'],
    [{ constraints: [{ pattern: '[a-z]+' }] }, 'abc1', 'must match the pattern'],
    [{ constraints: [{ equal: 3 }] }, 4, 'must equal 3'],
    [{ constraints: [{ greater_than: 3 }] }, 3, 'must be greater than 3'],
    [{ constraints: [{ greater_or_equal: 3 }] }, 2, 'must be greater than or equal to 3'],
    [{ constraints: [{ less_than: 3 }] }, 3, 'must be less than 3'],
    [{ constraints: [{ less_or_equal: 3 }] }, 4, 'must be less than or equal to 3'],
  ] as [InputSpec, JsonObject[string], string][])('refuses %j with %j', (spec, value, message) => {
    const err = refusal({ x: spec }, { x: value });
    expect(err.errorCode).toBe('deployment_parameters_error');
    expect(err.message).toContain(`input \`x\`: ${message}`);
  });

  it('accepts values inside every constraint', () => {
    const schema: Record<string, InputSpec> = {
      x: {
        type: 'integer',
        constraints: [{ in_range: [1, 5] }, { valid_values: [1, 2, 3] }, { greater_than: 0 }],
      },
      s: { type: 'string', constraints: [{ pattern: 'ab+' }, { length: 3 }] },
    };
    expect(validateDeploymentInputs(schema, { x: 2, s: 'abb' })).toEqual({ x: 2, s: 'abb' });
  });

  it('refuses inputs that are not a JSON object', () => {
    expect(() => validateDeploymentInputs({ a: {} }, 'nope' as never)).toThrow(/JSON object/);
  });
});
