/**
 * Table of refused blueprints: each lists every issue expected (path, line, and a part of the message),
 * so that a missing or an extra issue fails the test.
 */
import { describe, expect, it } from 'vitest';
import { HEADER, issuesOf } from './support.ts';

interface Expected {
  path: string;
  line: number | null;
  message: string;
  file?: string;
}

interface Case {
  name: string;
  yaml: string;
  files?: Record<string, string>;
  issues: Expected[];
}

const root = (rest: string) => `${HEADER}${rest}`;

const cases: Case[] = [
  {
    name: 'wrong version header',
    yaml: 'tosca_definitions_version: cloudify_dsl_1_0\n',
    issues: [
      {
        path: 'tosca_definitions_version',
        line: 1,
        message: 'unsupported `tosca_definitions_version` "cloudify_dsl_1_0"',
      },
    ],
  },
  {
    name: 'missing version header',
    yaml: 'node_templates: {}\n',
    issues: [{ path: '', line: 1, message: '`tosca_definitions_version` is missing' }],
  },
  {
    name: 'YAML syntax error',
    yaml: 'tosca_definitions_version: cloudify_dsl_1_4\nimports: [\n',
    issues: [{ path: '', line: 3, message: 'YAML:' }],
  },
  {
    name: 'duplicate node template names in one file',
    yaml: root('node_templates:\n  a: {type: cloudify.nodes.Root}\n  a: {type: cloudify.nodes.Root}\n'),
    issues: [{ path: '', line: 6, message: 'YAML: duplicate key `a` in a mapping' }],
  },
  {
    name: 'duplicate node type across imported files',
    yaml: root('  - types/mine.yaml\nnode_types:\n  my.T: {derived_from: cloudify.nodes.Root}\n'),
    files: { 'types/mine.yaml': 'node_types:\n  my.T: {derived_from: cloudify.nodes.Root}\n' },
    issues: [
      {
        file: 'types/mine.yaml',
        path: 'node_types.my.T',
        line: 2,
        message: 'is already defined in blueprint.yaml',
      },
    ],
  },
  {
    name: 'redefining a built-in type',
    yaml: root('node_types:\n  cloudify.nodes.Root: {}\n'),
    issues: [
      {
        path: 'node_types.cloudify.nodes.Root',
        line: 5,
        message: "already defined in Cloudify's built-in types.yaml",
      },
    ],
  },
  {
    name: 'unknown top-level keys and unsupported sections',
    yaml: root('foo: 1\ngroups: {}\n'),
    issues: [
      { path: 'foo', line: 4, message: 'unknown top-level key `foo`' },
      { path: 'groups', line: 5, message: '`groups` is not supported by Stratus' },
    ],
  },
  {
    name: 'unknown key in a node template',
    yaml: root('node_templates:\n  a:\n    type: cloudify.nodes.Root\n    propertiez: {}\n'),
    issues: [
      { path: 'node_templates.a.propertiez', line: 7, message: 'unknown key `propertiez` in node template' },
    ],
  },
  {
    name: 'a template of an unknown type still has its relationships checked',
    yaml: root(
      'node_templates:\n  a:\n    type: my.Missing\n    relationships:\n      - {type: cloudify.relationships.depends_on, target: ghost}\n',
    ),
    issues: [
      { path: 'node_templates.a.type', line: 6, message: 'unknown node type `my.Missing`' },
      {
        path: 'node_templates.a.relationships[0].target',
        line: 8,
        message: 'relationship target `ghost` is not a node template',
      },
    ],
  },
  {
    name: 'unknown node type, with a hint when types.yaml is not imported',
    yaml: 'tosca_definitions_version: cloudify_dsl_1_3\nnode_templates:\n  a:\n    type: cloudify.nodes.Compute\n',
    issues: [
      {
        path: 'node_templates.a.type',
        line: 4,
        message: "unknown node type `cloudify.nodes.Compute` (import Cloudify's types.yaml",
      },
    ],
  },
  {
    name: 'unknown relationship type and target',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    relationships:\n      - type: cloudify.relationships.linked\n        target: b\n      - type: cloudify.relationships.depends_on\n        target: nope\n  b: {type: cloudify.nodes.Root}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.relationships[0].type',
        line: 8,
        message: 'unknown relationship type `cloudify.relationships.linked`',
      },
      {
        path: 'node_templates.a.relationships[1].target',
        line: 11,
        message: 'relationship target `nope` is not a node template',
      },
    ],
  },
  {
    name: 'relationship cycle',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    relationships:\n      - {type: cloudify.relationships.depends_on, target: b}\n  b:\n    type: cloudify.nodes.Root\n    relationships:\n      - {type: cloudify.relationships.connected_to, target: c}\n  c:\n    type: cloudify.nodes.Root\n    relationships:\n      - {type: cloudify.relationships.depends_on, target: a}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.relationships[0]',
        line: 8,
        message: 'relationships form a cycle: a → b → c → a',
      },
    ],
  },
  {
    name: 'relationship to itself',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    relationships:\n      - {type: cloudify.relationships.depends_on, target: a}\n',
    ),
    issues: [
      { path: 'node_templates.a.relationships[0]', line: 8, message: 'relationships form a cycle: a → a' },
    ],
  },
  {
    name: 'contained_in more than one host',
    yaml: root(
      'node_templates:\n  h1: {type: cloudify.nodes.Compute}\n  h2: {type: cloudify.nodes.Compute}\n  a:\n    type: cloudify.nodes.Root\n    relationships:\n      - {type: cloudify.relationships.contained_in, target: h1}\n      - {type: cloudify.relationships.contained_in, target: h2}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.relationships[1]',
        line: 11,
        message: 'contained in more than one node (h1, h2)',
      },
    ],
  },
  {
    name: 'bad intrinsic function arguments',
    yaml: root(
      [
        'inputs:',
        '  x: {}',
        'node_templates:',
        '  a:',
        '    type: cloudify.nodes.WebServer',
        '    properties:',
        '      port: { get_input: y }',
        '    interfaces:',
        '      cloudify.interfaces.lifecycle:',
        '        create:',
        '          inputs:',
        '            a: { get_property: [SELF] }',
        '            b: { get_attribute: [TARGET, x] }',
        '            c: { get_secret: x }',
        '            d: { get_property: [nope, x] }',
        '            e: { get_property: [SELF, colour] }',
        '            f: { concat: abc }',
        '            g: { get_input: [x, { k: 1 }] }',
        'outputs:',
        '  o:',
        '    value: { get_attribute: [SELF, ip] }',
        '',
      ].join('\n'),
    ),
    issues: [
      {
        path: 'node_templates.a.properties.port.get_input',
        line: 10,
        message: '`get_input` refers to unknown input `y`; inputs: x',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.a.get_property',
        line: 15,
        message: '`get_property` takes a list',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.b.get_attribute',
        line: 16,
        message: 'can use TARGET only in relationships',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.c',
        line: 17,
        message: 'intrinsic function `get_secret` is not supported',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.d.get_property',
        line: 18,
        message: 'refers to unknown node `nope`',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.e.get_property',
        line: 19,
        message: 'property `colour` that node `a` does not have',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.f.concat',
        line: 20,
        message: '`concat` takes a list',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.g.get_input',
        line: 21,
        message: '`get_input` takes an input name',
      },
      { path: 'outputs.o.value.get_attribute', line: 24, message: 'cannot use SELF in outputs' },
    ],
  },
  {
    name: 'get_attribute in properties and SELF in relationships',
    yaml: root(
      'node_templates:\n  b: {type: cloudify.nodes.Root}\n  a:\n    type: cloudify.nodes.Compute\n    properties:\n      ip: { get_attribute: [SELF, x] }\n    relationships:\n      - type: cloudify.relationships.connected_to\n        target: b\n        source_interfaces:\n          cloudify.interfaces.relationship_lifecycle:\n            establish:\n              inputs: { v: { get_property: [SELF, ip] } }\n',
    ),
    issues: [
      {
        path: 'node_templates.a.properties.ip.get_attribute',
        line: 9,
        message: '`get_attribute` cannot be used in properties',
      },
      {
        path: 'node_templates.a.relationships[0].source_interfaces.cloudify.interfaces.relationship_lifecycle.establish.inputs.v.get_property',
        line: 16,
        message: 'cannot use SELF in a relationship: use SOURCE or TARGET',
      },
    ],
  },
  {
    name: 'get_property cycle between properties',
    yaml: root(
      'node_types:\n  t:\n    derived_from: cloudify.nodes.Root\n    properties: {p: {}, q: {}}\nnode_templates:\n  a:\n    type: t\n    properties:\n      p: { get_property: [SELF, q] }\n      q: { get_property: [SELF, p] }\n',
    ),
    issues: [
      {
        path: 'node_templates.a.properties.p',
        line: 12,
        message: '`get_property` references form a cycle: a.p → a.q → a.p',
      },
    ],
  },
  {
    name: 'property not declared by the type, missing required property, wrong property type',
    yaml: root(
      'node_types:\n  t:\n    derived_from: cloudify.nodes.Root\n    properties:\n      size: {type: integer}\n      name: {type: string}\nnode_templates:\n  a:\n    type: t\n    properties:\n      size: big\n      colour: red\n',
    ),
    issues: [
      {
        path: 'node_templates.a',
        line: 11,
        message: 'required property `name` of type `t` is not set and has no default',
      },
      {
        path: 'node_templates.a.properties.size',
        line: 14,
        message: 'property `size` expected an integer, got a string',
      },
      {
        path: 'node_templates.a.properties.colour',
        line: 15,
        message: 'property `colour` is not declared by type `t`; declared: size, name',
      },
    ],
  },
  {
    name: 'imports: plugin, unknown URL, missing file, escaping path',
    yaml: 'tosca_definitions_version: cloudify_dsl_1_3\nimports:\n  - http://www.getcloudify.org/spec/cloudify/4.5/types.yaml\n  - plugin:cloudify-openstack-plugin\n  - https://example.com/x.yaml\n  - missing.yaml\n  - ../../etc/x.yaml\n  - http://www.getcloudify.org/spec/openstack-plugin/2.0/plugin.yaml\n',
    issues: [
      {
        path: 'imports[1]',
        line: 4,
        message: 'plugin import `plugin:cloudify-openstack-plugin` is not supported',
      },
      { path: 'imports[2]', line: 5, message: 'unknown import URL `https://example.com/x.yaml`' },
      {
        path: 'imports[3]',
        line: 6,
        message: 'imported file `missing.yaml` is not in the blueprint archive',
      },
      { path: 'imports[4]', line: 7, message: 'points outside the blueprint archive' },
      {
        path: 'imports[5]',
        line: 8,
        message: 'plugin import `http://www.getcloudify.org/spec/openstack-plugin/2.0/plugin.yaml`',
      },
    ],
  },
  {
    name: 'imported file with another version',
    yaml: root('  - more.yaml\n'),
    files: { 'more.yaml': 'tosca_definitions_version: cloudify_dsl_1_3\n' },
    issues: [
      {
        file: 'more.yaml',
        path: 'tosca_definitions_version',
        line: 1,
        message: 'imported file has `tosca_definitions_version` "cloudify_dsl_1_3"',
      },
    ],
  },
  {
    name: 'inputs: bad type, bad default, bad constraints',
    yaml: root(
      'inputs:\n  a:\n    type: integer\n    default: x\n  b:\n    type: widget\n  c:\n    constraints:\n      - foo: 1\n      - pattern: "("\n      - in_range: [5, 1]\n  d:\n    type: string\n    default: abc\n    constraints: [{max_length: 2}]\n  e:\n    default: {get_input: a}\n  f:\n    typo: 1\n',
    ),
    issues: [
      { path: 'inputs.a.default', line: 7, message: 'default value expected an integer, got a string' },
      {
        path: 'inputs.b.type',
        line: 9,
        message: 'unsupported type "widget"; allowed: string, integer, float, boolean, list, dict',
      },
      { path: 'inputs.c.constraints[0]', line: 12, message: 'unknown constraint `foo`' },
      { path: 'inputs.c.constraints[1]', line: 13, message: '`pattern` is not a valid regular expression' },
      { path: 'inputs.c.constraints[2]', line: 14, message: '`in_range` takes a list of two numbers' },
      { path: 'inputs.d.default', line: 17, message: 'default value must have length at most 2 (has 3)' },
      { path: 'inputs.e.default', line: 20, message: 'an input default cannot use intrinsic functions' },
      { path: 'inputs.f.typo', line: 22, message: 'unknown key `typo` in input `f`' },
    ],
  },
  {
    name: 'operations: unknown key, bad executor and retries, missing script, plugin operation',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          implementation: nope.sh\n          executor: somewhere\n          max_retries: x\n          foo: 1\n        start: openstack.nova_plugin.server.start\n        stop: [a]\n',
    ),
    issues: [
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create',
        line: 9,
        message: 'script `nope.sh` is not in the blueprint archive',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.executor',
        line: 11,
        message: '`executor` must be one of central_deployment_agent, host_agent, auto',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.max_retries',
        line: 12,
        message: '`max_retries` must be an integer >= -1',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.foo',
        line: 13,
        message: 'unknown operation key `foo`',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.start',
        line: 14,
        message: 'maps to plugin `openstack`, which Stratus does not have',
      },
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.stop',
        line: 15,
        message: 'an operation is a script path or a mapping',
      },
    ],
  },
  {
    name: 'type operation input without default must be given',
    yaml: root(
      'node_types:\n  t:\n    derived_from: cloudify.nodes.Root\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          implementation: s.sh\n          inputs:\n            level: {type: integer}\nnode_templates:\n  a: {type: t}\n',
    ),
    files: { 's.sh': '' },
    issues: [
      {
        path: 'node_types.t.interfaces.cloudify.interfaces.lifecycle.create',
        line: 9,
        message: 'operation input `level` is required',
      },
    ],
  },
  {
    name: 'derived_from unknown parent and cycle',
    yaml: root('node_types:\n  x: {derived_from: nope}\n  y: {derived_from: z}\n  z: {derived_from: y}\n'),
    issues: [
      {
        path: 'node_types.x.derived_from',
        line: 5,
        message: '`derived_from` names unknown node type `nope`',
      },
      { path: 'node_types.y.derived_from', line: 6, message: '`derived_from` chain of `y` is a cycle' },
    ],
  },
  {
    name: 'workflows: unsupported mapping and bad parameter',
    yaml: root(
      'workflows:\n  mine:\n    mapping: myplugin.wf.run\n  other:\n    mapping: default_workflows.cloudify.plugins.workflows.install\n    parameters:\n      p: {type: integer, default: no}\n',
    ),
    issues: [
      {
        path: 'workflows.mine.mapping',
        line: 6,
        message: 'workflow mapping `myplugin.wf.run` is not supported',
      },
      {
        path: 'workflows.other.parameters.p.default',
        line: 10,
        message: 'default value expected an integer, got a string',
      },
    ],
  },
  {
    name: 'scaling: bad values and default outside min/max',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    capabilities:\n      scalable:\n        properties:\n          default_instances: 5\n          max_instances: 2\n          extra: 1\n  b:\n    type: cloudify.nodes.Root\n    capabilities:\n      scalable:\n        properties: {default_instances: -1}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.capabilities.scalable.properties',
        line: 9,
        message: 'default_instances (5) must be between min_instances (0) and max_instances (2)',
      },
      {
        path: 'node_templates.a.capabilities.scalable.properties.extra',
        line: 12,
        message: 'unknown scalable property `extra`',
      },
      {
        path: 'node_templates.b.capabilities.scalable.properties.default_instances',
        line: 17,
        message: 'must be an integer >= 0',
      },
    ],
  },
  {
    name: 'scaling: only get_input may give a count, its arguments are checked, instances.deploy stays literal',
    yaml: root(
      [
        'inputs:',
        '  n: {type: integer}',
        'node_templates:',
        '  a:',
        '    type: cloudify.nodes.Root',
        '    capabilities:',
        '      scalable:',
        '        properties:',
        '          default_instances: {get_property: [SELF, x]}',
        '          min_instances: {get_secret: s}',
        '          max_instances: {get_input: nope}',
        '  b:',
        '    type: cloudify.nodes.Root',
        '    instances: {deploy: {get_input: n}}',
        '  c:',
        '    type: cloudify.nodes.Root',
        '    capabilities:',
        '      scalable:',
        '        properties:',
        '          default_instances: {get_input: [n, {x: 1}]}',
        '          max_instances: 0',
        '',
      ].join('\n'),
    ),
    issues: [
      {
        path: 'node_templates.a.capabilities.scalable.properties.default_instances',
        line: 12,
        message:
          '`default_instances` may use only `get_input` (evaluated at deployment creation), not `get_property`',
      },
      {
        path: 'node_templates.a.capabilities.scalable.properties.min_instances',
        line: 13,
        message:
          '`min_instances` may use only `get_input` (evaluated at deployment creation), not `get_secret`',
      },
      {
        path: 'node_templates.a.capabilities.scalable.properties.max_instances.get_input',
        line: 14,
        message: '`get_input` refers to unknown input `nope`; inputs: n',
      },
      {
        path: 'node_templates.b.instances.deploy',
        line: 17,
        message: '`instances.deploy` must be an integer >= 0: Cloudify evaluates no function there',
      },
      {
        path: 'node_templates.c.capabilities.scalable.properties.default_instances.get_input',
        line: 23,
        message: '`get_input` takes an input name, or a list [input_name, key or index, ...]',
      },
      {
        path: 'node_templates.c.capabilities.scalable.properties.max_instances',
        line: 24,
        message: 'must be an integer >= 1, or -1 / UNBOUNDED (unbounded) or {get_input: ...}, got 0',
      },
    ],
  },
  {
    name: 'scaling: literal counts are still checked pairwise when another one comes from an input',
    yaml: root(
      [
        'inputs:',
        '  n: {type: integer}',
        'node_templates:',
        '  a:',
        '    type: cloudify.nodes.Root',
        '    capabilities: {scalable: {properties: {default_instances: {get_input: n}, min_instances: 3, max_instances: 2}}}',
        '  b:',
        '    type: cloudify.nodes.Root',
        '    capabilities: {scalable: {properties: {default_instances: 5, min_instances: {get_input: n}, max_instances: UNBOUNDED}}}',
        '  c:',
        '    type: cloudify.nodes.Root',
        '    capabilities: {scalable: {properties: {default_instances: 5, min_instances: {get_input: n}, max_instances: 4}}}',
        '  d:',
        '    type: cloudify.nodes.Root',
        '    capabilities: {scalable: {properties: {default_instances: 1, min_instances: 2, max_instances: {get_input: n}}}}',
        '',
      ].join('\n'),
    ),
    issues: [
      {
        path: 'node_templates.a.capabilities.scalable.properties',
        line: 9,
        message: 'min_instances (3) must be <= max_instances (2)',
      },
      {
        path: 'node_templates.c.capabilities.scalable.properties',
        line: 15,
        message: 'default_instances (5) must be <= max_instances (4)',
      },
      {
        path: 'node_templates.d.capabilities.scalable.properties',
        line: 18,
        message: 'default_instances (1) must be >= min_instances (2)',
      },
    ],
  },
  {
    // Cloudify's NodeTemplate schema (dsl_parser/elements/node_templates.py) has no `description`,
    // and its parser is strict about unknown keys
    name: 'node template `description` is refused, as Cloudify refuses it',
    yaml: root('node_templates:\n  a:\n    type: cloudify.nodes.Root\n    description: a web server\n'),
    issues: [
      {
        path: 'node_templates.a.description',
        line: 7,
        message: 'unknown key `description` in node template; allowed: type, properties',
      },
    ],
  },
  {
    name: 'plugins other than script',
    yaml: root('plugins:\n  openstack: {executor: central_deployment_agent}\n'),
    issues: [{ path: 'plugins.openstack', line: 5, message: 'plugin `openstack` is not supported' }],
  },
  {
    name: 'connection_type outside all_to_all and all_to_one',
    yaml: root(
      'node_templates:\n  b: {type: cloudify.nodes.Root}\n  a:\n    type: cloudify.nodes.Root\n    relationships:\n      - type: cloudify.relationships.connected_to\n        target: b\n        properties: {connection_type: some_to_some}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.relationships[0].properties.connection_type',
        line: 11,
        message: '`connection_type` must be all_to_all or all_to_one',
      },
    ],
  },
  {
    name: 'prototype keys',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.Root\n    properties:\n      __proto__: {x: 1}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.properties.__proto__',
        line: 8,
        message: 'the key `__proto__` is not allowed',
      },
    ],
  },
  {
    name: 'get_property of an inherited object member',
    yaml: root(
      'node_templates:\n  a:\n    type: cloudify.nodes.WebServer\n    interfaces:\n      cloudify.interfaces.lifecycle:\n        create:\n          inputs: {p: {get_property: [SELF, constructor]}}\n',
    ),
    issues: [
      {
        path: 'node_templates.a.interfaces.cloudify.interfaces.lifecycle.create.inputs.p.get_property',
        line: 10,
        message: 'property `constructor` that node `a` does not have',
      },
    ],
  },
  {
    name: 'top level not a mapping',
    yaml: '- a\n',
    issues: [{ path: '', line: 1, message: 'a blueprint file must be a YAML mapping at the top level' }],
  },
];

describe('invalid blueprints are refused with every problem located', () => {
  it.each(cases)('$name', ({ yaml, files, issues }) => {
    const got = issuesOf(yaml, files).map((i) => ({
      file: i.file,
      path: i.path,
      line: i.line,
      message: i.message,
    }));
    const want = issues.map((e) => ({ file: e.file ?? 'blueprint.yaml', path: e.path, line: e.line }));
    expect(got.map(({ file, path, line }) => ({ file, path, line }))).toEqual(want);
    issues.forEach((e, i) => {
      expect(got[i]?.message).toContain(e.message);
    });
  });
});
