import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../../core/errors.ts';
import type { Executor, GraphTask } from '../../../core/model.ts';
import { WorkflowContext } from '../../../functions/workflow/context.ts';
import { buildWorkflowGraph } from '../../../functions/workflow/index.ts';
import { deployment, LC, lifecycle, type NodeDef, op, RL } from './fixtures.ts';

const compute = ['cloudify.nodes.Compute'];

function createTask(defs: NodeDef[], instance: string): GraphTask {
  const g = buildWorkflowGraph(deployment(defs));
  const t = g.tasks.find((x) => x.node_instance_id === instance && x.name === `${LC}create`);
  if (!t) throw new Error(`no create task for ${instance}`);
  return t;
}

const withExecutor = (executor: Executor) => lifecycle({ create: op('c.sh', { executor }) });

describe('operation targets', () => {
  it('sends central_deployment_agent operations to the central queue, even on a host', () => {
    const defs: NodeDef[] = [
      { id: 'vm', types: compute },
      {
        id: 'app',
        operations: withExecutor('central_deployment_agent'),
        relationships: [{ type: 'contained_in', target: 'vm' }],
      },
    ];
    expect(createTask(defs, 'app_0').operation?.target).toBe('central');
  });

  it("sends host_agent operations to the host's agent, named by agent_config.name", () => {
    const defs: NodeDef[] = [
      { id: 'vm', types: compute, properties: { agent_config: { name: 'local' } } },
      { id: 'web', relationships: [{ type: 'contained_in', target: 'vm' }] },
      {
        id: 'app',
        operations: withExecutor('host_agent'),
        relationships: [{ type: 'contained_in', target: 'web' }],
      },
    ];
    expect(createTask(defs, 'app_0').operation?.target).toBe('agent-local');
  });

  it('names the agent after the host instance when agent_config.name is not set', () => {
    const defs: NodeDef[] = [
      { id: 'vm', types: compute, properties: { agent_config: {} } },
      {
        id: 'app',
        operations: withExecutor('host_agent'),
        relationships: [{ type: 'contained_in', target: 'vm' }],
      },
    ];
    expect(createTask(defs, 'app_0').operation?.target).toBe('agent-vm_0');
  });

  it('runs auto operations on the host agent when there is a host (the Compute itself too), else centrally', () => {
    const defs: NodeDef[] = [
      {
        id: 'vm',
        types: compute,
        operations: withExecutor('auto'),
        properties: { agent_config: { name: 'a1' } },
      },
      {
        id: 'app',
        operations: withExecutor('auto'),
        relationships: [{ type: 'contained_in', target: 'vm' }],
      },
      { id: 'lonely', operations: withExecutor('auto') },
    ];
    expect(createTask(defs, 'vm_0').operation?.target).toBe('agent-a1');
    expect(createTask(defs, 'app_0').operation?.target).toBe('agent-a1');
    expect(createTask(defs, 'lonely_0').operation?.target).toBe('central');
  });

  it('picks the agent of the host instance of each instance when the host has several', () => {
    const defs: NodeDef[] = [
      { id: 'vm', types: compute, instances: 2 },
      {
        id: 'app',
        operations: withExecutor('host_agent'),
        instances: 2,
        relationships: [{ type: 'contained_in', target: 'vm' }],
      },
    ];
    expect(createTask(defs, 'app_0').operation?.target).toBe('agent-vm_0');
    expect(createTask(defs, 'app_1').operation?.target).toBe('agent-vm_1');
  });

  it('refuses a host_agent operation on a node without a host, naming the node and operation', () => {
    const defs: NodeDef[] = [{ id: 'lonely', operations: withExecutor('host_agent') }];
    const build = () => buildWorkflowGraph(deployment(defs));
    expect(build).toThrow(NonRetryableError);
    expect(build).toThrow(
      /Workflow install: operation cloudify.interfaces.lifecycle.create of node lonely runs on host_agent/,
    );
  });

  it("runs the target side of a relationship operation on the target's host", () => {
    const defs: NodeDef[] = [
      { id: 'vm1', types: compute },
      { id: 'vm2', types: compute },
      { id: 'db', relationships: [{ type: 'contained_in', target: 'vm2' }] },
      {
        id: 'app',
        relationships: [
          { type: 'contained_in', target: 'vm1' },
          {
            type: 'connected_to',
            target: 'db',
            source_operations: { [`${RL}establish`]: op('s.sh', { executor: 'host_agent' }) },
            target_operations: { [`${RL}establish`]: op('t.sh', { executor: 'host_agent' }) },
          },
        ],
      },
    ];
    const g = buildWorkflowGraph(deployment(defs));
    const side = (s: string) => g.tasks.find((t) => t.operation?.relationship?.side === s);
    expect(side('source')?.operation?.target).toBe('agent-vm1_0');
    expect(side('target')?.operation?.target).toBe('agent-vm2_0');
    expect(side('target')?.operation?.relationship).toEqual({
      type: 'cloudify.relationships.connected_to',
      source_id: 'app_0',
      target_id: 'db_0',
      side: 'target',
    });
  });

  it('leaves max_retries and retry_interval null for the dispatcher defaults, and keeps explicit ones', () => {
    const defs: NodeDef[] = [
      {
        id: 'n',
        operations: lifecycle({
          create: op('c.sh'),
          configure: op('k.sh', { max_retries: 3, retry_interval: 7, timeout: 60 }),
        }),
      },
    ];
    const g = buildWorkflowGraph(deployment(defs));
    const create = g.tasks.find((t) => t.name === `${LC}create`)?.operation?.spec;
    const configure = g.tasks.find((t) => t.name === `${LC}configure`)?.operation?.spec;
    expect(create?.max_retries).toBeNull();
    expect(create?.retry_interval).toBeNull();
    expect(configure).toMatchObject({ max_retries: 3, retry_interval: 7, timeout: 60 });
  });
});

describe('WorkflowContext', () => {
  it('returns null for a no-op operation and a task for an implemented one', () => {
    const ctx = new WorkflowContext(
      deployment([{ id: 'n', operations: lifecycle({ create: 'c.sh', start: '' }) }]),
    );
    const inst = ctx.getInstance('n_0');
    expect(inst?.executeOperation(`${LC}start`)).toBeNull();
    expect(inst?.executeOperation(`${LC}stop`)).toBeNull();
    expect(inst?.executeOperation(`${LC}create`)?.id).toBe('n_0.create');
    expect(inst?.executeOperation('create')?.id).toBe('n_0.create.2');
  });

  it('resolves relationships to instances', () => {
    const ctx = new WorkflowContext(
      deployment([
        { id: 'db', instances: 2 },
        { id: 'app', relationships: [{ type: 'connected_to', target: 'db' }] },
      ]),
    );
    const rels = ctx.getInstance('app_0')?.relationships ?? [];
    expect(rels.map((r) => [r.source.id, r.target.id, r.type])).toEqual([
      ['app_0', 'db_0', 'cloudify.relationships.connected_to'],
      ['app_0', 'db_1', 'cloudify.relationships.connected_to'],
    ]);
  });

  it('refuses a relationship to an unknown node instance, naming it', () => {
    const input = deployment([{ id: 'app' }]);
    (input.instances[0] as { relationships: unknown[] }).relationships = [
      { target_id: 'ghost_1', target_name: 'ghost', type: 'cloudify.relationships.depends_on' },
    ];
    expect(() => new WorkflowContext(input)).toThrow(
      /node instance app_0 has a relationship to unknown node instance ghost_1/,
    );
  });

  it('refuses kwargs that clash with declared inputs unless override is allowed', () => {
    const ctx = new WorkflowContext(
      deployment([{ id: 'n', operations: lifecycle({ create: op('c.sh', { inputs: { port: 1 } }) }) }]),
    );
    const inst = ctx.getInstance('n_0');
    expect(() => inst?.executeOperation('create', { kwargs: { port: 2 } })).toThrow(/allow_kwargs_override/);
    expect(
      inst?.executeOperation('create', { kwargs: { port: 2 }, allowKwargsOverride: true })?.operation?.kwargs,
    ).toEqual({
      port: 2,
    });
  });
});
