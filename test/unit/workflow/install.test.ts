import { describe, expect, it } from 'vitest';
import { buildWorkflowGraph } from '../../../functions/workflow/index.ts';
import {
  ALL_SCRIPTS,
  checkGraph,
  concurrent,
  deployment,
  instanceTimeline,
  lifecycle,
  type NodeDef,
  op,
  opTask,
  precedes,
  RL,
  stateTask,
} from './fixtures.ts';

const compute = ['cloudify.nodes.Compute'];

// a contained_in b contained_in c
const chain: NodeDef[] = [
  { id: 'c', types: compute, operations: ALL_SCRIPTS },
  { id: 'b', operations: ALL_SCRIPTS, relationships: [{ type: 'contained_in', target: 'c' }] },
  { id: 'a', operations: ALL_SCRIPTS, relationships: [{ type: 'contained_in', target: 'b' }] },
];

// top depends on left and right, both depend on bottom
const diamond: NodeDef[] = [
  { id: 'bottom', operations: ALL_SCRIPTS },
  { id: 'left', operations: ALL_SCRIPTS, relationships: [{ type: 'depends_on', target: 'bottom' }] },
  { id: 'right', operations: ALL_SCRIPTS, relationships: [{ type: 'connected_to', target: 'bottom' }] },
  {
    id: 'top',
    operations: ALL_SCRIPTS,
    relationships: [
      { type: 'depends_on', target: 'left' },
      { type: 'depends_on', target: 'right' },
    ],
  },
];

// two branches: app1 in vm1, app2 in vm2
const branches: NodeDef[] = [
  { id: 'vm1', types: compute, operations: ALL_SCRIPTS },
  { id: 'app1', operations: ALL_SCRIPTS, relationships: [{ type: 'contained_in', target: 'vm1' }] },
  { id: 'vm2', types: compute, operations: ALL_SCRIPTS },
  { id: 'app2', operations: ALL_SCRIPTS, relationships: [{ type: 'contained_in', target: 'vm2' }] },
];

describe('install', () => {
  it('runs one instance through Cloudify lifecycle order with its events', () => {
    const g = buildWorkflowGraph(deployment([{ id: 'n', operations: ALL_SCRIPTS }]));
    checkGraph(g);
    expect(instanceTimeline(g, 'n_0')).toEqual([
      'state:initializing',
      'state:creating',
      'event:Creating node instance',
      'op:create',
      'event:Node instance created',
      'state:created',
      'state:configuring',
      'event:Configuring node instance',
      'op:configure',
      'event:Node instance configured',
      'state:configured',
      'state:starting',
      'event:Starting node instance',
      'op:start',
      'state:started',
      'event:Node instance started',
    ]);
  });

  it('skips no-op operations but keeps the state changes, merged into few local tasks', () => {
    const g = buildWorkflowGraph(
      deployment([{ id: 'n', operations: lifecycle({ configure: 'c.sh', start: '' }) }]),
    );
    checkGraph(g);
    const ops = g.tasks.filter((t) => t.kind === 'operation').map((t) => t.name);
    expect(ops).toEqual(['cloudify.interfaces.lifecycle.configure']);
    expect(instanceTimeline(g, 'n_0')).toEqual([
      'state:initializing',
      'state:creating',
      'event:Creating node instance: nothing to do',
      'state:created',
      'state:configuring',
      'event:Configuring node instance',
      'op:configure',
      'event:Node instance configured',
      'state:configured',
      'state:starting',
      'event:Starting node instance: nothing to do',
      'state:started',
      'event:Node instance started',
    ]);
    // one local task before the operation, one after, plus __end__
    expect(g.tasks).toHaveLength(4);
  });

  it('installs a node without operations as one local task', () => {
    const g = buildWorkflowGraph(deployment([{ id: 'vm', types: compute }]));
    checkGraph(g);
    expect(g.tasks.map((t) => t.id)).toEqual(['vm_0.set_state.initializing', '__end__']);
  });

  it('installs a contained_in chain bottom-up: the container is started before the contained is created', () => {
    const g = buildWorkflowGraph(deployment(chain));
    checkGraph(g);
    expect(precedes(g, opTask(g, 'c_0', 'start'), opTask(g, 'b_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'b_0', 'start'), opTask(g, 'a_0', 'create'))).toBe(true);
    expect(precedes(g, stateTask(g, 'b_0', 'started'), stateTask(g, 'a_0', 'initializing'))).toBe(true);
    expect(precedes(g, opTask(g, 'a_0', 'create'), opTask(g, 'c_0', 'start'))).toBe(false);
  });

  it('installs a diamond: the two middle instances in parallel, between the bottom and the top', () => {
    const g = buildWorkflowGraph(deployment(diamond));
    checkGraph(g);
    expect(precedes(g, opTask(g, 'bottom_0', 'start'), opTask(g, 'left_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'bottom_0', 'start'), opTask(g, 'right_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'left_0', 'start'), opTask(g, 'top_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'right_0', 'start'), opTask(g, 'top_0', 'create'))).toBe(true);
    for (const step of ['create', 'configure', 'start']) {
      expect(concurrent(g, opTask(g, 'left_0', step), opTask(g, 'right_0', step))).toBe(true);
    }
    expect(concurrent(g, opTask(g, 'left_0', 'create'), opTask(g, 'right_0', 'start'))).toBe(true);
  });

  it('installs independent branches in parallel', () => {
    const g = buildWorkflowGraph(deployment(branches));
    checkGraph(g);
    expect(concurrent(g, opTask(g, 'vm1_0', 'create'), opTask(g, 'vm2_0', 'create'))).toBe(true);
    expect(concurrent(g, opTask(g, 'app1_0', 'create'), opTask(g, 'vm2_0', 'start'))).toBe(true);
    expect(concurrent(g, opTask(g, 'app1_0', 'start'), opTask(g, 'app2_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'vm1_0', 'start'), opTask(g, 'app1_0', 'create'))).toBe(true);
    expect(precedes(g, opTask(g, 'vm1_0', 'start'), opTask(g, 'app2_0', 'create'))).toBe(false);
  });

  it('resumes from the state reached: a started instance only confirms started, a created one configures', () => {
    const g = buildWorkflowGraph(deployment(chain, { states: { c_0: 'started', b_0: 'created' } }));
    checkGraph(g);
    expect(instanceTimeline(g, 'c_0')).toEqual(['state:started', 'event:Node instance started']);
    const b = instanceTimeline(g, 'b_0');
    expect(b).not.toContain('op:create');
    expect(b).toContain('op:configure');
    expect(b).not.toContain('state:initializing');
  });

  it('runs relationship operations around configure and after start, source and target side in parallel', () => {
    const relOps = (name: string) => ({ [RL + name]: op(`${name}.sh`) });
    const g = buildWorkflowGraph(
      deployment([
        { id: 'db', operations: ALL_SCRIPTS },
        {
          id: 'app',
          operations: ALL_SCRIPTS,
          relationships: [
            {
              type: 'connected_to',
              target: 'db',
              source_operations: { ...relOps('preconfigure'), ...relOps('establish') },
              target_operations: { ...relOps('preconfigure'), ...relOps('postconfigure') },
            },
          ],
        },
      ]),
    );
    checkGraph(g);
    const timeline = instanceTimeline(g, 'app_0');
    const at = (s: string) => timeline.indexOf(s);
    expect(at('op:create')).toBeLessThan(at('event:Pre-configuring relationships'));
    expect(at('event:Pre-configuring relationships')).toBeLessThan(at('op:preconfigure:source'));
    expect(at('op:preconfigure:target')).toBeLessThan(at('state:configuring'));
    expect(at('op:configure')).toBeLessThan(at('op:postconfigure:target'));
    expect(at('op:postconfigure:target')).toBeLessThan(at('op:start'));
    expect(at('op:start')).toBeLessThan(at('op:establish:source'));
    expect(at('op:establish:source')).toBeLessThan(at('state:started'));
    const pre = g.tasks.filter((t) => t.name === `${RL}preconfigure`);
    expect(pre.map((t) => t.id).sort()).toEqual([
      'app_0.preconfigure.db_0.source',
      'app_0.preconfigure.db_0.target',
    ]);
    expect(concurrent(g, pre[0]?.id as string, pre[1]?.id as string)).toBe(true);
    expect(pre.every((t) => t.node_instance_id === 'app_0')).toBe(true);
  });

  it('waits only for what precedes the named operation with depends_on_lifecycle_operation', () => {
    const g = buildWorkflowGraph(
      deployment([
        { id: 'b', operations: ALL_SCRIPTS },
        {
          id: 'a',
          operations: ALL_SCRIPTS,
          relationships: [{ type: 'depends_on', target: 'b', properties: { operation: 'configure' } }],
        },
      ]),
    );
    checkGraph(g);
    expect(precedes(g, opTask(g, 'b_0', 'create'), opTask(g, 'a_0', 'create'))).toBe(true);
    expect(concurrent(g, opTask(g, 'b_0', 'configure'), opTask(g, 'a_0', 'create'))).toBe(true);
  });

  it('keeps 1,000 independent instances in parallel within the fan limits', () => {
    const defs: NodeDef[] = [{ id: 'n', operations: lifecycle({ create: 'c.sh' }), instances: 1000 }];
    const g = buildWorkflowGraph(deployment(defs));
    checkGraph(g);
    const creates = g.tasks.filter((t) => t.kind === 'operation');
    expect(creates).toHaveLength(1000);
    // per instance: a local task before create and one after; plus the joins below __end__
    expect(g.tasks.length).toBeLessThan(3000 + 40);
    expect(concurrent(g, opTask(g, 'n_0', 'create'), opTask(g, 'n_999', 'create'))).toBe(true);
  });

  it('keeps a host with 1,000 contained instances within the fan limits, all after the host', () => {
    const defs: NodeDef[] = [
      { id: 'vm', types: compute, operations: ALL_SCRIPTS },
      {
        id: 'app',
        operations: ALL_SCRIPTS,
        instances: 1000,
        relationships: [{ type: 'contained_in', target: 'vm' }],
      },
      { id: 'lb', operations: ALL_SCRIPTS, relationships: [{ type: 'connected_to', target: 'app' }] },
    ];
    const g = buildWorkflowGraph(deployment(defs));
    checkGraph(g);
    for (const k of [0, 500, 999]) {
      expect(precedes(g, opTask(g, 'vm_0', 'start'), opTask(g, `app_${k}`, 'create'))).toBe(true);
      expect(precedes(g, opTask(g, `app_${k}`, 'start'), opTask(g, 'lb_0', 'create'))).toBe(true);
    }
  });

  it('installs the hello-world shape: the vm as one local task, the web server on the agent named local', () => {
    const g = buildWorkflowGraph(
      deployment([
        { id: 'vm', types: compute, properties: { agent_config: { name: 'local' } } },
        {
          id: 'http_web_server',
          operations: ALL_SCRIPTS,
          relationships: [{ type: 'contained_in', target: 'vm' }],
        },
      ]),
    );
    checkGraph(g);
    expect(g.tasks.map((t) => [t.id, t.dependencies])).toEqual([
      ['vm_0.set_state.initializing', []],
      ['http_web_server_0.set_state.initializing', ['vm_0.set_state.initializing']],
      ['http_web_server_0.create', ['http_web_server_0.set_state.initializing']],
      ['http_web_server_0.send_event.2', ['http_web_server_0.create']],
      ['http_web_server_0.configure', ['http_web_server_0.send_event.2']],
      ['http_web_server_0.send_event.4', ['http_web_server_0.configure']],
      ['http_web_server_0.start', ['http_web_server_0.send_event.4']],
      ['http_web_server_0.set_state.started', ['http_web_server_0.start']],
      ['__end__', ['http_web_server_0.set_state.started']],
    ]);
    expect(new Set(g.tasks.flatMap((t) => (t.operation ? [t.operation.target] : [])))).toEqual(
      new Set(['agent-local']),
    );
  });

  it('gives the same task ids for the same input', () => {
    const input = deployment([...diamond, ...branches]);
    expect(buildWorkflowGraph(input)).toEqual(buildWorkflowGraph(structuredClone(input)));
  });

  it('gives operation tasks readable ids and records the subgraph of the instance', () => {
    const g = buildWorkflowGraph(deployment(chain));
    expect(opTask(g, 'a_0', 'create')).toBe('a_0.create');
    expect(g.tasks.find((t) => t.id === 'a_0.create')?.subgraph).toBe('install_a_0');
  });
});

describe('uninstall', () => {
  const started = (defs: NodeDef[]) =>
    Object.fromEntries(
      defs.flatMap((d) =>
        Array.from({ length: d.instances ?? 1 }, (_, k) => [`${d.id}_${k}`, 'started' as const]),
      ),
    );

  it('runs one instance through stop and delete in Cloudify order', () => {
    const defs: NodeDef[] = [{ id: 'n', operations: ALL_SCRIPTS }];
    const g = buildWorkflowGraph(deployment(defs, { workflow: 'uninstall', states: started(defs) }));
    checkGraph(g);
    expect(instanceTimeline(g, 'n_0')).toEqual([
      'state:stopping',
      'event:Stopping node instance',
      'op:stop',
      'event:Stopped node instance',
      'state:stopped',
      'state:deleting',
      'event:Deleting node instance',
      'op:delete',
      'state:deleted',
      'event:Deleted node instance',
    ]);
  });

  it('uninstalls a contained_in chain top-down: the contained is deleted before the container stops', () => {
    const g = buildWorkflowGraph(deployment(chain, { workflow: 'uninstall', states: started(chain) }));
    checkGraph(g);
    expect(precedes(g, opTask(g, 'a_0', 'delete'), opTask(g, 'b_0', 'stop'))).toBe(true);
    expect(precedes(g, opTask(g, 'b_0', 'delete'), opTask(g, 'c_0', 'stop'))).toBe(true);
    expect(precedes(g, opTask(g, 'c_0', 'stop'), opTask(g, 'a_0', 'delete'))).toBe(false);
  });

  it('uninstalls a diamond in reverse: top first, the middle two in parallel, bottom last', () => {
    const g = buildWorkflowGraph(deployment(diamond, { workflow: 'uninstall', states: started(diamond) }));
    checkGraph(g);
    expect(precedes(g, opTask(g, 'top_0', 'delete'), opTask(g, 'left_0', 'stop'))).toBe(true);
    expect(precedes(g, opTask(g, 'top_0', 'delete'), opTask(g, 'right_0', 'stop'))).toBe(true);
    expect(precedes(g, opTask(g, 'left_0', 'delete'), opTask(g, 'bottom_0', 'stop'))).toBe(true);
    expect(precedes(g, opTask(g, 'right_0', 'delete'), opTask(g, 'bottom_0', 'stop'))).toBe(true);
    expect(concurrent(g, opTask(g, 'left_0', 'stop'), opTask(g, 'right_0', 'stop'))).toBe(true);
  });

  it('uninstalls independent branches in parallel', () => {
    const g = buildWorkflowGraph(deployment(branches, { workflow: 'uninstall', states: started(branches) }));
    checkGraph(g);
    expect(concurrent(g, opTask(g, 'app1_0', 'stop'), opTask(g, 'app2_0', 'stop'))).toBe(true);
    expect(concurrent(g, opTask(g, 'vm1_0', 'delete'), opTask(g, 'app2_0', 'stop'))).toBe(true);
  });

  it('says what is skipped for an instance that was never installed', () => {
    const g = buildWorkflowGraph(
      deployment([{ id: 'n', operations: ALL_SCRIPTS }], { workflow: 'uninstall' }),
    );
    checkGraph(g);
    expect(instanceTimeline(g, 'n_0')).toEqual([
      'event:Stop: instance already uninitialized',
      'state:stopped',
      'event:Delete: instance already uninitialized',
      'state:deleted',
      'event:Deleted node instance',
    ]);
  });

  it('unlinks relationships after stop and before delete', () => {
    const g = buildWorkflowGraph(
      deployment(
        [
          { id: 'db', operations: ALL_SCRIPTS },
          {
            id: 'app',
            operations: ALL_SCRIPTS,
            relationships: [
              { type: 'connected_to', target: 'db', source_operations: { [`${RL}unlink`]: op('u.sh') } },
            ],
          },
        ],
        { workflow: 'uninstall', states: { app_0: 'started', db_0: 'started' } },
      ),
    );
    checkGraph(g);
    const t = instanceTimeline(g, 'app_0');
    expect(t.indexOf('state:stopped')).toBeLessThan(t.indexOf('op:unlink:source'));
    expect(t.indexOf('op:unlink:source')).toBeLessThan(t.indexOf('state:deleting'));
  });
});
