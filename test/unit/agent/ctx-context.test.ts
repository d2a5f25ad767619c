import { describe, expect, it } from 'vitest';
import { CtxCommandError, keyPath, OperationContext } from '../../../agent/ctx-context.ts';
import { entity, makeTask } from './make-task.ts';

const context = (runtime: Record<string, unknown> = {}) =>
  new OperationContext(makeTask('true', { self: entity('web', { runtime_properties: runtime }) }), () => {});

describe('keyPath', () => {
  it('splits dots and list indexes', () => {
    expect(keyPath({}, 'endpoint.urls[2].host')).toEqual(['endpoint', 'urls', 2, 'host']);
  });

  it('prefers a top-level key that contains a dot verbatim', () => {
    expect(keyPath({ 'a.b': 1 }, 'a.b')).toEqual(['a.b']);
  });

  it('refuses an empty key', () => {
    expect(() => keyPath({}, '')).toThrow(CtxCommandError);
  });
});

describe('OperationContext', () => {
  it('patches only changed top-level keys and lists removed ones as unset', () => {
    const ctx = context({ same: { a: [1] }, changed: 1 });
    ctx.handle(['instance', 'runtime-properties', 'changed', 2]);
    ctx.handle(['instance', 'runtime-properties', 'same', { a: [1] }]);
    expect(ctx.patches()).toEqual({ web_a1b2c3: { set: { changed: 2 }, unset: [] } });
  });

  it('keeps plain arguments as strings and refuses numbers a double cannot hold', () => {
    const ctx = context();
    ctx.handle(['instance', 'runtime-properties', 'v', '1.10']);
    expect(ctx.patches()).toEqual({ web_a1b2c3: { set: { v: '1.10' }, unset: [] } });
    expect(() =>
      ctx.handle(['instance', 'runtime-properties', 'n', JSON.parse('12345678901234567890')]),
    ).toThrow(/too large/);
  });

  it('does not let a key path reach the object prototype', () => {
    const ctx = context();
    expect(() => ctx.handle(['instance', 'runtime-properties', '__proto__.polluted', 'yes'])).toThrow(
      /not a valid key/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to set a key inside a value that is not a dict', () => {
    const ctx = context({ port: 80 });
    expect(() => ctx.handle(['instance', 'runtime-properties', 'port.x', '1'])).toThrow(
      'ctx instance runtime-properties: `port` is a number, not a dict: cannot set a key in it',
    );
  });

  it('names the allowed levels for an unknown logger level', () => {
    expect(() => context().handle(['logger', 'loud', 'x'])).toThrow(
      'ctx logger: unknown level `loud` (allowed: debug, info, warning, error)',
    );
  });

  it('refuses a retry delay that is not a number', () => {
    expect(() => context().handle(['retry_operation', 'm', 'soon'])).toThrow(/RETRY_AFTER must be a number/);
  });

  it('accepts values already parsed by a JSON-speaking client', () => {
    const ctx = context();
    ctx.handle(['instance', 'runtime_properties', 'list', [1, 2]]);
    expect(ctx.handle(['instance', 'runtime_properties', 'list'])).toEqual([1, 2]);
  });
});
