import { describe, expect, it } from 'vitest';
import {
  type AttributeContext,
  type AttributeEntity,
  evaluateOutputs,
  FunctionEvaluationError,
  resolveAttributes,
} from '../../../core/dsl/functions.ts';
import type { Json } from '../../../core/model.ts';

const vm1: AttributeEntity = {
  node: { id: 'vm', properties: { ip: '10.0.0.1', agent_config: { name: 'a1' } } },
  instance: {
    id: 'vm_aaaaaa',
    runtime_properties: { ip: '192.168.0.5', disks: [{ size: 10 }] },
    host_id: 'vm_aaaaaa',
  },
};
const vm2: AttributeEntity = {
  node: vm1.node,
  instance: { id: 'vm_bbbbbb', runtime_properties: {}, host_id: 'vm_bbbbbb' },
};
const web: AttributeEntity = {
  node: { id: 'web', properties: { port: 8080 } },
  instance: { id: 'web_cccccc', runtime_properties: { pid: 42 }, host_id: 'vm_aaaaaa' },
};
const db: AttributeEntity = {
  node: { id: 'db', properties: { port: 5432 } },
  instance: { id: 'db_dddddd', runtime_properties: { url: 'pg://x' }, host_id: null },
};

const byName: Record<string, AttributeEntity[]> = { vm: [vm1, vm2], web: [web], db: [db] };
const lookup: AttributeContext['lookup'] = (name) => {
  const list = byName[name];
  return list?.[0] ? { node: list[0].node, instances: list.map((e) => e.instance) } : undefined;
};

describe('resolveAttributes', () => {
  it('reads runtime properties first, then node properties, then node_instance_id', () => {
    const ctx: AttributeContext = { self: vm1, lookup };
    expect(resolveAttributes({ get_attribute: ['SELF', 'ip'] }, ctx)).toBe('192.168.0.5');
    expect(resolveAttributes({ get_attribute: ['SELF', 'agent_config', 'name'] }, ctx)).toBe('a1');
    expect(resolveAttributes({ get_attribute: ['SELF', 'node_instance_id'] }, ctx)).toBe('vm_aaaaaa');
    expect(resolveAttributes({ get_attribute: ['SELF', 'disks', 0, 'size'] }, ctx)).toBe(10);
  });

  it('gives null for an attribute nobody set, as Cloudify does', () => {
    expect(resolveAttributes({ get_attribute: ['SELF', 'nothing'] }, { self: web, lookup })).toBeNull();
  });

  it('resolves SOURCE and TARGET in relationship operations', () => {
    const ctx: AttributeContext = { self: web, source: web, target: db, lookup };
    expect(
      resolveAttributes(
        { a: { get_attribute: ['TARGET', 'url'] }, b: [{ get_attribute: ['SOURCE', 'pid'] }] },
        ctx,
      ),
    ).toEqual({ a: 'pg://x', b: [42] });
  });

  it('refuses SOURCE outside a relationship operation', () => {
    expect(() => resolveAttributes({ get_attribute: ['SOURCE', 'x'] }, { self: web, lookup })).toThrow(
      FunctionEvaluationError,
    );
  });

  it('resolves a node name, choosing the instance on the caller host when the node has several', () => {
    expect(resolveAttributes({ get_attribute: ['db', 'url'] }, { self: web, lookup })).toBe('pg://x');
    expect(resolveAttributes({ get_attribute: ['vm', 'ip'] }, { self: web, lookup })).toBe('192.168.0.5');
    expect(() => resolveAttributes({ get_attribute: ['vm', 'ip'] }, { lookup })).toThrow(/has 2 instances/);
  });

  it('joins concat parts once every part is resolved', () => {
    const v: Json = {
      concat: ['http://', { get_attribute: ['SELF', 'ip'] }, ':', { get_property: ['web', 'port'] }],
    };
    expect(resolveAttributes(v, { self: vm1, lookup })).toBe('http://192.168.0.5:8080');
  });

  it('leaves values without functions as they are', () => {
    const v = { a: [1, { b: 'c' }] };
    expect(resolveAttributes(v, { lookup })).toBe(v);
  });
});

describe('evaluateOutputs', () => {
  it('evaluates get_input, get_property and get_attribute by node name', () => {
    const outputs: Record<string, { description?: string; value: Json }> = {
      url: {
        value: { concat: ['pg://', { get_attribute: ['db', 'url'] }, '/', { get_input: ['cfg', 'name'] }] },
      },
      port: { description: 'db port', value: { get_property: ['db', 'port'] } },
    };
    expect(evaluateOutputs(outputs, { lookup, inputs: { cfg: { name: 'main' } } })).toEqual({
      url: 'pg://pg://x/main',
      port: 5432,
    });
  });
});
