/**
 * Instance counts taken from inputs: the plan keeps the get_input call, deployment creation evaluates it
 * and refuses a value that is not a valid count, naming the node, the property and the input.
 */
import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../core/deployment/index.ts';
import { InputError } from '../../../core/errors.ts';
import type { JsonObject } from '../../../core/model.ts';
import { HEADER, parse, seeded } from '../dsl/support.ts';

/** One node `web` whose scalable properties are `props` (YAML flow mapping), with inputs n and cfg. */
const blueprint = (props: string) =>
  `${HEADER}inputs:\n  n: {}\n  cfg: {type: dict, default: {min: 2, max: 3}}\nnode_templates:\n  web:\n    type: cloudify.nodes.WebServer\n    capabilities: {scalable: {properties: ${props}}}\n`;

function deploy(props: string, inputs: JsonObject) {
  return planDeployment({
    blueprintId: 'bp',
    deploymentId: 'dep',
    plan: parse(blueprint(props)),
    inputs,
    random: seeded(3),
  });
}

function refusal(props: string, inputs: JsonObject): InputError {
  try {
    deploy(props, inputs);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected the deployment to be refused');
}

describe('instance counts from get_input', () => {
  it('the plan keeps the get_input call; deployment creation evaluates it', () => {
    const props = '{default_instances: {get_input: n}, max_instances: {get_input: [cfg, max]}}';
    const node = parse(blueprint(props)).nodes[0];
    expect(node?.capabilities.scalable.properties).toEqual({
      default_instances: { get_input: 'n' },
      min_instances: 0,
      max_instances: { get_input: ['cfg', 'max'] },
    });
    const d = deploy(props, { n: 3 });
    expect(d.instances.map((i) => i.index)).toEqual([1, 2, 3]);
    expect(d.nodes[0]).toMatchObject({
      number_of_instances: 3,
      deploy_number_of_instances: 3,
      planned_number_of_instances: 3,
      min_number_of_instances: 0,
      max_number_of_instances: 3,
    });
  });

  it.each([
    {
      name: 'a string is not an integer',
      props: '{default_instances: {get_input: n}}',
      inputs: { n: '3' },
      parts: ['node `web`', 'default_instances', 'input `n`', 'must be an integer >= 0, got "3"'],
    },
    {
      name: 'a float is not an integer',
      props: '{default_instances: {get_input: n}}',
      inputs: { n: 1.5 },
      parts: ['node `web`', 'default_instances', 'input `n`', 'got 1.5'],
    },
    {
      name: 'a negative count',
      props: '{min_instances: {get_input: n}}',
      inputs: { n: -1 },
      parts: ['node `web`', 'min_instances', 'input `n`', 'must be an integer >= 0, got -1'],
    },
    {
      name: 'max_instances 0 (Cloudify wants >= 1, or -1 for unbounded)',
      props: '{default_instances: 0, max_instances: {get_input: n}}',
      inputs: { n: 0 },
      parts: ['node `web`', 'max_instances', 'input `n`', 'must be an integer >= 1, or -1 / UNBOUNDED'],
    },
    {
      name: 'default above a literal max',
      props: '{default_instances: {get_input: n}, max_instances: 3}',
      inputs: { n: 5 },
      parts: [
        'node `web`',
        'default_instances (5) must be between min_instances (0) and max_instances (3)',
        'default_instances from input `n`',
      ],
    },
    {
      name: 'default below a min given by a nested input path',
      props: '{default_instances: 1, min_instances: {get_input: [cfg, min]}}',
      inputs: { n: 1 },
      parts: [
        'node `web`',
        'default_instances (1) must be between min_instances (2) and max_instances (unbounded)',
        'min_instances from input `cfg` at ["min"]',
      ],
    },
    {
      name: 'a nested path the input does not have',
      props: '{default_instances: {get_input: [cfg, nope]}}',
      inputs: { n: 1 },
      parts: ['node `web`', 'default_instances', 'input `cfg` at ["nope"]', 'has no'],
    },
  ])('refuses $name with deployment_parameters_error', ({ props, inputs, parts }) => {
    const err = refusal(props, inputs);
    expect(err.errorCode).toBe('deployment_parameters_error');
    for (const p of parts) expect(err.message).toContain(p);
  });
});

describe('node instance index', () => {
  // Cloudify's manager (rest-service/manager_rest/resource_manager.py,
  // _prepare_deployment_node_instances_for_storage) numbers a node's instances from 1, across the deployment
  it('starts at 1 for each node and counts across the instances of its host', () => {
    const yaml = `${HEADER}node_templates:\n  vm:\n    type: cloudify.nodes.Compute\n    instances: {deploy: 2}\n  app:\n    type: cloudify.nodes.ApplicationServer\n    capabilities: {scalable: {properties: {default_instances: 2}}}\n    relationships: [{type: cloudify.relationships.contained_in, target: vm}]\n`;
    const d = planDeployment({ blueprintId: 'bp', deploymentId: 'dep', plan: parse(yaml), inputs: {} });
    const byNode = (id: string) => d.instances.filter((i) => i.node_id === id).map((i) => i.index);
    expect(byNode('vm')).toEqual([1, 2]);
    expect(byNode('app')).toEqual([1, 2, 3, 4]);
  });
});
