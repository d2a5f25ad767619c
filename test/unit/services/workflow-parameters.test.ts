import { describe, expect, it } from 'vitest';
import { mergeWorkflowParameters } from '../../../core/services/workflow-parameters.ts';

const SCHEMA = {
  node_ids: { type: 'list', default: [] },
  operation: { type: 'string' },
  retries: { type: 'integer', default: 3 },
};

describe('mergeWorkflowParameters', () => {
  it('fills declared defaults and keeps given values', () => {
    expect(mergeWorkflowParameters('op', SCHEMA, { operation: 'create', retries: 5 }, false)).toEqual({
      operation: 'create',
      retries: 5,
      node_ids: [],
    });
  });

  it('names mandatory parameters that are missing', () => {
    expect(() => mergeWorkflowParameters('op', SCHEMA, {}, false)).toThrow(/must be provided.*operation/);
  });

  it('names undeclared parameters and the declared ones, unless custom parameters are allowed', () => {
    expect(() => mergeWorkflowParameters('op', SCHEMA, { operation: 'x', speed: 1 }, false)).toThrow(
      /speed.*Declared parameters: node_ids, operation, retries/,
    );
    expect(mergeWorkflowParameters('op', SCHEMA, { operation: 'x', speed: 1 }, true)).toMatchObject({
      speed: 1,
    });
  });

  it('names a parameter of the wrong type', () => {
    expect(() => mergeWorkflowParameters('op', SCHEMA, { operation: 'x', retries: 'many' }, false)).toThrow(
      /retries.*integer/,
    );
  });

  it('treats a parameter declared required: false without default as optional', () => {
    expect(mergeWorkflowParameters('op', { note: { type: 'string', required: false } }, {}, false)).toEqual(
      {},
    );
  });
});
