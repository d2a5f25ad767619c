import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../../core/errors.ts';
import type { JsonObject } from '../../../core/model.ts';
import { buildWorkflowGraph } from '../../../functions/workflow/index.ts';
import {
  ALL_SCRIPTS,
  checkGraph,
  concurrent,
  deployment,
  LC,
  lifecycle,
  type NodeDef,
  op,
  opTask,
  precedes,
} from './fixtures.ts';

// c <- b <- a (a depends on b depends on c), and a lone node
const defs: NodeDef[] = [
  { id: 'c', operations: ALL_SCRIPTS },
  { id: 'b', operations: ALL_SCRIPTS, relationships: [{ type: 'depends_on', target: 'c' }] },
  { id: 'a', operations: ALL_SCRIPTS, relationships: [{ type: 'depends_on', target: 'b' }] },
  {
    id: 'x',
    types: ['my.Special'],
    operations: lifecycle({ create: op('c.sh', { inputs: { port: 1 } }), start: 'st.sh' }),
  },
];

const run = (workflow: string, parameters: JsonObject = {}) => {
  const g = buildWorkflowGraph(deployment(defs, { workflow, parameters }));
  checkGraph(g);
  return g;
};
const ops = (g: ReturnType<typeof run>) => g.tasks.filter((t) => t.kind === 'operation').map((t) => t.id);

describe('buildWorkflowGraph', () => {
  it('refuses an unknown workflow, naming it and the known ones', () => {
    expect(() => run('deploy_everything')).toThrow(NonRetryableError);
    expect(() => run('deploy_everything')).toThrow(
      /Workflow deploy_everything: unknown workflow; built-in workflows are install/,
    );
  });

  it('says heal and scale are not supported yet', () => {
    expect(() => run('heal')).toThrow(/Workflow heal: the built-in workflow heal is not supported yet/);
    expect(() => run('scale')).toThrow(/not supported yet/);
  });
});

describe('execute_operation', () => {
  it('runs the operation on every instance in parallel, between start and finish events', () => {
    const g = run('execute_operation', { operation: 'cloudify.interfaces.lifecycle.create' });
    expect(ops(g).sort()).toEqual(['a_0.create', 'b_0.create', 'c_0.create', 'x_0.create']);
    expect(concurrent(g, 'a_0.create', 'c_0.create')).toBe(true);
    const events = g.tasks.flatMap((t) => (t.node_instance_id === 'a_0' ? (t.actions ?? []) : []));
    expect(events).toEqual([
      { type: 'event', message: 'Starting operation cloudify.interfaces.lifecycle.create' },
      { type: 'event', message: 'Finished operation cloudify.interfaces.lifecycle.create' },
    ]);
  });

  it('filters by node_ids, node_instance_ids and type_names', () => {
    expect(ops(run('execute_operation', { operation: 'create', node_ids: ['a', 'b'] })).sort()).toEqual([
      'a_0.create',
      'b_0.create',
    ]);
    expect(ops(run('execute_operation', { operation: 'create', node_instance_ids: ['c_0'] }))).toEqual([
      'c_0.create',
    ]);
    expect(ops(run('execute_operation', { operation: 'create', type_names: ['my.Special'] }))).toEqual([
      'x_0.create',
    ]);
  });

  it('orders by relationships when asked, through instances left out', () => {
    const g = run('execute_operation', {
      operation: 'create',
      node_ids: ['a', 'c'],
      run_by_dependency_order: true,
    });
    expect(precedes(g, 'c_0.create', 'a_0.create')).toBe(true);
  });

  it('passes operation_kwargs, refusing to replace declared inputs unless allow_kwargs_override', () => {
    const params = { operation: 'create', node_ids: ['x'], operation_kwargs: { port: 2 } };
    expect(() => run('execute_operation', params)).toThrow(/kwargs port are already operation inputs/);
    const g = run('execute_operation', { ...params, allow_kwargs_override: true });
    expect(g.tasks.find((t) => t.id === 'x_0.create')?.operation?.kwargs).toEqual({ port: 2 });
  });

  it('refuses a missing operation, an undeclared one, a wrong parameter type and unknown ids, by name', () => {
    expect(() => run('execute_operation')).toThrow(
      /Workflow execute_operation: parameter operation is required/,
    );
    expect(() => run('execute_operation', { operation: 'nope' })).toThrow(
      /no selected node declares operation nope/,
    );
    expect(() => run('execute_operation', { operation: 'create', node_ids: 'a' })).toThrow(
      /parameter node_ids must be a list of strings/,
    );
    expect(() => run('execute_operation', { operation: 'create', node_instance_ids: ['a_9'] })).toThrow(
      /unknown node instances a_9/,
    );
  });
});

describe('start, stop, restart', () => {
  it('start runs lifecycle start by dependency order (what others depend on first)', () => {
    const g = run('start');
    expect(ops(g).sort()).toEqual(['a_0.start', 'b_0.start', 'c_0.start', 'x_0.start']);
    expect(precedes(g, 'c_0.start', 'b_0.start')).toBe(true);
    expect(precedes(g, 'b_0.start', 'a_0.start')).toBe(true);
    expect(concurrent(g, 'x_0.start', 'c_0.start')).toBe(true);
  });

  it('stop runs lifecycle stop on dependents first', () => {
    const g = run('stop');
    expect(precedes(g, 'a_0.stop', 'b_0.stop')).toBe(true);
    expect(precedes(g, 'b_0.stop', 'c_0.stop')).toBe(true);
  });

  it('start runs everything in parallel without run_by_dependency_order and passes operation_parms', () => {
    const g = run('start', { run_by_dependency_order: false, operation_parms: { port: 5 } });
    expect(concurrent(g, 'c_0.start', 'a_0.start')).toBe(true);
    // start allows kwargs to override inputs, as in Cloudify
    expect(g.tasks.find((t) => t.id === 'a_0.start')?.operation?.kwargs).toEqual({ port: 5 });
  });

  it('restart stops everything before starting anything', () => {
    const g = run('restart', { node_ids: ['a', 'b'] });
    expect(ops(g).sort()).toEqual(['a_0.start', 'a_0.stop', 'b_0.start', 'b_0.stop']);
    for (const stop of ['a_0.stop', 'b_0.stop'])
      for (const start of ['a_0.start', 'b_0.start']) expect(precedes(g, stop, start)).toBe(true);
  });
});

describe('reinstall and uninstall parameters', () => {
  it('reinstall uninstalls every selected instance before installing any', () => {
    const states = Object.fromEntries(['a_0', 'b_0', 'c_0', 'x_0'].map((id) => [id, 'started' as const]));
    const g = buildWorkflowGraph(
      deployment(defs, { workflow: 'reinstall', parameters: { node_ids: ['a', 'b'] }, states }),
    );
    checkGraph(g);
    expect(ops(g).some((id) => id.startsWith('c_0'))).toBe(false);
    for (const del of ['a_0.delete', 'b_0.delete']) {
      for (const create of ['a_0.create', 'b_0.create']) expect(precedes(g, del, create)).toBe(true);
    }
    expect(precedes(g, opTask(g, 'b_0', 'create'), opTask(g, 'a_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'a_0', 'delete'), opTask(g, 'b_0', 'stop'))).toBe(true);
  });

  it('uninstall accepts ignore_failure false (also as the string the CLI sends) and refuses true for now', () => {
    expect(() => run('uninstall', { ignore_failure: 'false' })).not.toThrow();
    expect(() => run('uninstall', { ignore_failure: true })).toThrow(
      /ignore_failure: true is not supported yet/,
    );
    expect(() => run('uninstall', { ignore_failure: 'maybe' })).toThrow(
      /parameter ignore_failure must be a boolean/,
    );
  });

  it('uninstall filtered by node_ids leaves the other instances alone', () => {
    const g = run('uninstall', { node_ids: ['x'] });
    expect(new Set(g.tasks.map((t) => t.node_instance_id).filter(Boolean))).toEqual(new Set(['x_0']));
    expect(g.tasks.some((t) => t.name === `${LC}delete`)).toBe(false); // x has no delete script
  });
});
