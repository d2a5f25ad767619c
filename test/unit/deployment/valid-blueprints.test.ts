/**
 * Table of accepted blueprints: for each, the node instances (as `node[index]`, with host and
 * relationship targets) and the resolved values expected after deployment planning.
 */
import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../core/deployment/index.ts';
import type { DeploymentNode, Json, JsonObject, NodeInstance } from '../../../core/model.ts';
import { HEADER, parse, seeded } from '../dsl/support.ts';

/** `web[2] @vm[1] -> vm[1] (contained_in), db[1] (connected_to)` */
function summarize(instances: NodeInstance[]): string[] {
  const label = new Map(instances.map((i) => [i.id, `${i.node_id}[${i.index}]`]));
  return instances.map((i) => {
    const host = i.host_id ? ` @${label.get(i.host_id)}` : '';
    const rels = i.relationships.map(
      (r) => `${label.get(r.target_id)} (${r.type.replace('cloudify.relationships.', '')})`,
    );
    return `${label.get(i.id)}${host}${rels.length ? ` -> ${rels.join(', ')}` : ''}`;
  });
}

interface Case {
  name: string;
  yaml: string;
  files?: Record<string, string>;
  inputs?: JsonObject;
  instances: string[];
  /** node id → expected subset of its resolved fields */
  nodes?: Record<string, (n: DeploymentNode) => Json | undefined | object>;
  expected?: Record<string, unknown>;
}

const root = (rest: string) => `${HEADER}${rest}`;

const cases: Case[] = [
  {
    name: 'multi-instance host with contained nodes: instances per host instance',
    yaml: root(
      'node_templates:\n  vm:\n    type: cloudify.nodes.Compute\n    capabilities: {scalable: {properties: {default_instances: 2}}}\n  app:\n    type: cloudify.nodes.ApplicationServer\n    capabilities: {scalable: {properties: {default_instances: 2}}}\n    relationships: [{type: cloudify.relationships.contained_in, target: vm}]\n  mod:\n    type: cloudify.nodes.ApplicationModule\n    relationships: [{type: cloudify.relationships.contained_in, target: app}]\n',
    ),
    instances: [
      'vm[1] @vm[1]',
      'vm[2] @vm[2]',
      'app[1] @vm[1] -> vm[1] (contained_in)',
      'app[2] @vm[1] -> vm[1] (contained_in)',
      'app[3] @vm[2] -> vm[2] (contained_in)',
      'app[4] @vm[2] -> vm[2] (contained_in)',
      'mod[1] @vm[1] -> app[1] (contained_in)',
      'mod[2] @vm[1] -> app[2] (contained_in)',
      'mod[3] @vm[2] -> app[3] (contained_in)',
      'mod[4] @vm[2] -> app[4] (contained_in)',
    ],
    expected: { 'app.number_of_instances': 4, 'app.deploy_number_of_instances': 2, 'mod.host_id': 'vm' },
  },
  {
    name: 'instance counts from inputs (nested path, UNBOUNDED): a contained node gets host count × its own',
    yaml: root(
      [
        'inputs:',
        '  web_count: {type: integer}',
        '  sizes: {type: dict, default: {app: {n: 2}}}',
        '  most: {default: UNBOUNDED}',
        'node_templates:',
        '  vm:',
        '    type: cloudify.nodes.Compute',
        '    capabilities:',
        '      scalable:',
        '        properties:',
        '          default_instances: { get_input: web_count }',
        '          min_instances: 1',
        '          max_instances: { get_input: most }',
        '  app:',
        '    type: cloudify.nodes.ApplicationServer',
        '    capabilities: {scalable: {properties: {default_instances: {get_input: [sizes, app, n]}}}}',
        '    relationships: [{type: cloudify.relationships.contained_in, target: vm}]',
        '',
      ].join('\n'),
    ),
    inputs: { web_count: 3 },
    instances: [
      'vm[1] @vm[1]',
      'vm[2] @vm[2]',
      'vm[3] @vm[3]',
      'app[1] @vm[1] -> vm[1] (contained_in)',
      'app[2] @vm[1] -> vm[1] (contained_in)',
      'app[3] @vm[2] -> vm[2] (contained_in)',
      'app[4] @vm[2] -> vm[2] (contained_in)',
      'app[5] @vm[3] -> vm[3] (contained_in)',
      'app[6] @vm[3] -> vm[3] (contained_in)',
    ],
    expected: {
      'vm.number_of_instances': 3,
      'vm.deploy_number_of_instances': 3,
      'vm.min_number_of_instances': 1,
      'vm.max_number_of_instances': -1,
      'app.number_of_instances': 6,
      'app.deploy_number_of_instances': 2,
      'app.capabilities': undefined,
    },
  },
  {
    name: 'connected_to all_to_all and all_to_one between unrelated nodes',
    yaml: root(
      'node_templates:\n  db:\n    type: cloudify.nodes.DBMS\n    instances: {deploy: 2}\n  web:\n    type: cloudify.nodes.WebServer\n    capabilities: {scalable: {properties: {default_instances: 2}}}\n    relationships:\n      - {type: cloudify.relationships.connected_to, target: db}\n  lb:\n    type: cloudify.nodes.LoadBalancer\n    relationships:\n      - type: cloudify.relationships.connected_to\n        target: db\n        properties: {connection_type: all_to_one}\n',
    ),
    instances: [
      'db[1]',
      'db[2]',
      'web[1] -> db[1] (connected_to), db[2] (connected_to)',
      'web[2] -> db[1] (connected_to), db[2] (connected_to)',
      'lb[1] -> db[1] (connected_to)',
    ],
  },
  {
    name: 'connected_to between nodes on the same host instance stays on that host',
    yaml: root(
      'node_templates:\n  vm:\n    type: cloudify.nodes.Compute\n    instances: {deploy: 2}\n  db:\n    type: cloudify.nodes.DBMS\n    relationships: [{type: cloudify.relationships.contained_in, target: vm}]\n  app:\n    type: cloudify.nodes.ApplicationServer\n    relationships:\n      - {type: cloudify.relationships.contained_in, target: vm}\n      - {type: cloudify.relationships.connected_to, target: db}\n',
    ),
    instances: [
      'vm[1] @vm[1]',
      'vm[2] @vm[2]',
      'db[1] @vm[1] -> vm[1] (contained_in)',
      'db[2] @vm[2] -> vm[2] (contained_in)',
      'app[1] @vm[1] -> vm[1] (contained_in), db[1] (connected_to)',
      'app[2] @vm[2] -> vm[2] (contained_in), db[2] (connected_to)',
    ],
  },
  {
    name: 'zero instances and no host',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    capabilities: {scalable: {properties: {default_instances: 0, min_instances: 0, max_instances: 5}}}\n  b: {type: cloudify.nodes.Tier}\n',
    ),
    instances: ['b[1]'],
    expected: { 'a.number_of_instances': 0, 'a.max_number_of_instances': 5, 'b.host_id': undefined },
  },
  {
    name: 'relative imports, transitively and each once, with types, properties and interfaces merged',
    yaml: root(
      '  - types/base.yaml\n  - types/app.yaml\nnode_templates:\n  a:\n    type: my.App\n    properties: {name: x}\n',
    ),
    files: {
      'types/base.yaml':
        'imports:\n  - https://cloudify.co/spec/cloudify/6.4.0/types.yaml\nnode_types:\n  my.Base:\n    derived_from: cloudify.nodes.SoftwareComponent\n    properties:\n      name: {type: string}\n      level: {type: integer, default: 1}\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create: {implementation: scripts/create.sh, inputs: {mode: {default: fast}}, max_retries: 3}\n        start: scripts/start.sh\n',
      'types/app.yaml':
        'imports: [base.yaml]\nnode_types:\n  my.App:\n    derived_from: my.Base\n    properties:\n      level: {type: integer, default: 2}\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        start: {implementation: scripts/start2.sh, executor: central_deployment_agent}\n      my.custom:\n        start: scripts/custom.sh\n',
      'scripts/create.sh': '',
      'scripts/start.sh': '',
      'scripts/start2.sh': '',
      'scripts/custom.sh': '',
    },
    instances: ['a[1]'],
    expected: {
      'a.type_hierarchy': ['cloudify.nodes.Root', 'cloudify.nodes.SoftwareComponent', 'my.Base', 'my.App'],
      'a.properties': { name: 'x', level: 2 },
      'a.operations.create': {
        implementation: 'scripts/create.sh',
        inputs: { mode: 'fast' },
        executor: 'auto',
        max_retries: 3,
        retry_interval: null,
        timeout: null,
      },
      'a.operations.cloudify.interfaces.lifecycle.start.implementation': 'scripts/start2.sh',
      'a.operations.cloudify.interfaces.lifecycle.start.executor': 'central_deployment_agent',
      'a.operations.my.custom.start.implementation': 'scripts/custom.sh',
      // `start` is in two interfaces: the short name is ambiguous and left out, as Cloudify does
      'a.operations.start': undefined,
    },
  },
  {
    name: 'template operation over the type: same implementation keeps type settings and merges inputs',
    yaml: root(
      'node_types:\n  t:\n    derived_from: cloudify.nodes.Root\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          implementation: c.sh\n          inputs: {a: {default: 1}, b: {default: 2}}\n          timeout: 30\n        configure:\n          implementation: c.sh\n          max_retries: 5\nnode_templates:\n  n:\n    type: t\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          inputs: {b: 3, c: 4}\n        configure:\n          implementation: other.sh\n          inputs: {x: 1}\n        delete: {}\n',
    ),
    files: { 'c.sh': '', 'other.sh': '' },
    instances: ['n[1]'],
    expected: {
      'n.operations.create': {
        implementation: 'c.sh',
        inputs: { a: 1, b: 3, c: 4 },
        executor: 'auto',
        max_retries: null,
        retry_interval: null,
        timeout: 30,
      },
      'n.operations.configure': {
        implementation: 'other.sh',
        inputs: { x: 1 },
        executor: 'auto',
        max_retries: null,
        retry_interval: null,
        timeout: null,
      },
      'n.operations.delete.implementation': '',
    },
  },
  {
    name: 'script plugin task form maps to the script path',
    yaml: root(
      'node_templates:\n  n:\n    type: cloudify.nodes.Root\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          implementation: script.script_runner.tasks.run\n          inputs: {script_path: scripts/c.sh, level: 2}\n',
    ),
    files: { 'scripts/c.sh': '' },
    instances: ['n[1]'],
    expected: {
      'n.operations.create.implementation': 'scripts/c.sh',
      'n.operations.create.inputs': { level: 2 },
    },
  },
  {
    name: 'get_input with nested paths, get_property chains, SOURCE/TARGET, concat, get_attribute kept',
    yaml: root(
      [
        'inputs:',
        '  cfg: {type: dict}',
        '  names: {type: list, default: [a, b]}',
        'node_types:',
        '  t:',
        '    derived_from: cloudify.nodes.Root',
        '    properties:',
        '      host: {}',
        '      port: {type: integer}',
        '      url: {}',
        '      first: {}',
        'node_templates:',
        '  db:',
        '    type: t',
        '    properties:',
        '      host: { get_input: [cfg, db, host] }',
        '      port: { get_input: [cfg, db, port] }',
        '      url: { concat: [ "pg://", { get_property: [SELF, host] }, ":", { get_property: [SELF, port] } ] }',
        '      first: { get_input: [names, 0] }',
        '  app:',
        '    type: cloudify.nodes.ApplicationServer',
        '    relationships:',
        '      - type: cloudify.relationships.connected_to',
        '        target: db',
        '        source_interfaces:',
        '          cloudify.interfaces.relationship_lifecycle:',
        '            preconfigure:',
        '              implementation: s.sh',
        '              inputs:',
        '                url: { get_property: [TARGET, url] }',
        '                me: { get_attribute: [SOURCE, ip] }',
        '                both: { concat: [ { get_property: [db, first] }, "-", { get_attribute: [TARGET, pid] } ] }',
        '',
      ].join('\n'),
    ),
    files: { 's.sh': '' },
    inputs: { cfg: { db: { host: 'h', port: 5432 } } },
    instances: ['db[1]', 'app[1] -> db[1] (connected_to)'],
    expected: {
      'db.properties': { host: 'h', port: 5432, url: 'pg://h:5432', first: 'a' },
      'app.relationships.0.source_operations.preconfigure.inputs': {
        url: 'pg://h:5432',
        me: { get_attribute: ['SOURCE', 'ip'] },
        both: { concat: ['a', '-', { get_attribute: ['TARGET', 'pid'] }] },
      },
      'app.relationships.0.connection_type': 'all_to_all',
    },
  },
];

function pick(nodes: DeploymentNode[], path: string): unknown {
  const [nodeId, ...rest] = path.split('.');
  let cur: unknown = nodes.find((n) => n.id === nodeId);
  // operation names contain dots: take the longest key that matches
  let i = 0;
  while (i < rest.length && cur !== undefined) {
    let matched = false;
    for (let j = rest.length; j > i; j--) {
      const key = rest.slice(i, j).join('.');
      if (cur !== null && typeof cur === 'object' && key in (cur as object)) {
        cur = (cur as Record<string, unknown>)[key];
        i = j;
        matched = true;
        break;
      }
    }
    if (!matched) return undefined;
  }
  return cur;
}

describe('valid blueprints deploy with the expected instances and values', () => {
  it.each(cases)('$name', ({ yaml, files, inputs, instances, expected }) => {
    const plan = parse(yaml, files);
    const d = planDeployment({
      blueprintId: 'bp',
      deploymentId: 'dep',
      plan,
      inputs: inputs ?? {},
      random: seeded(7),
    });
    expect(summarize(d.instances)).toEqual(instances);
    for (const i of d.instances) expect(i.id).toMatch(new RegExp(`^${i.node_id}_[a-z0-9]{6}$`));
    expect(new Set(d.instances.map((i) => i.id)).size).toBe(d.instances.length);
    for (const [path, value] of Object.entries(expected ?? {})) {
      expect(pick(d.nodes, path), path).toEqual(value);
    }
  });
});
