import { describe, expect, it } from 'vitest';
import { sqsBody } from '../../../core/sqs-body.ts';

describe('sqsBody', () => {
  it('is ASCII only and reads back to the same value', () => {
    const value = { message: 'done 🚀 naïve \ufffe\uffff', lone: '\ud800', nested: ['ü', { k: 'Ω' }] };
    const body = sqsBody(value);
    expect(/^[\x20-\x7e]*$/.test(body)).toBe(true);
    expect(JSON.parse(body)).toEqual(value);
  });

  it('leaves plain ASCII JSON as JSON.stringify writes it', () => {
    expect(sqsBody({ a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
  });
});
