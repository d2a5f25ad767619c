import { describe, expect, it } from 'vitest';
import { agentNameOf, planDeployment } from '../../../core/deployment/index.ts';
import { evaluateOutputs, parseBlueprint } from '../../../core/dsl/index.ts';
import { InputError } from '../../../core/errors.ts';
import { exampleFiles, HEADER, parse, seeded } from '../dsl/support.ts';

const plan = () => parseBlueprint(exampleFiles('hello-world'), 'blueprint.yaml');

describe('hello-world example', () => {
  it('parses into a Compute host and a web server contained in it', () => {
    const p = plan();
    expect(p.nodes.map((n) => n.id)).toEqual(['vm', 'http_web_server']);
    const web = p.nodes[1];
    expect(web?.type_hierarchy).toEqual([
      'cloudify.nodes.Root',
      'cloudify.nodes.SoftwareComponent',
      'cloudify.nodes.WebServer',
    ]);
    expect(web?.host_id).toBe('vm');
    expect(p.nodes[0]?.host_id).toBe('vm');
    expect(web?.relationships.map((r) => [r.type, r.target_id])).toEqual([
      ['cloudify.relationships.contained_in', 'vm'],
    ]);
    expect(web?.operations['cloudify.interfaces.lifecycle.start']?.implementation).toBe('scripts/start.sh');
    expect(web?.operations.start).toEqual(web?.operations['cloudify.interfaces.lifecycle.start']);
    expect(web?.operations.start?.inputs).toEqual({ port: { get_property: ['SELF', 'port'] } });
    expect(web?.operations.configure?.inputs).toEqual({ greeting: 'Hello from Stratus' });
    expect(web?.operations.poststart?.implementation).toBe('');
    expect(Object.keys(p.workflows).sort()).toEqual(
      [
        'execute_operation',
        'heal',
        'install',
        'reinstall',
        'restart',
        'scale',
        'start',
        'stop',
        'uninstall',
      ].sort(),
    );
    expect(p.workflows.install?.operation).toBe('cloudify.plugins.workflows.install');
  });

  it('deploys with one instance per node, the web server on the vm instance', () => {
    const d = planDeployment({
      blueprintId: 'hw',
      deploymentId: 'dep',
      plan: plan(),
      inputs: {},
      random: seeded(),
    });
    expect(d.instances).toHaveLength(2);
    const [vm, web] = d.instances;
    expect(vm?.id).toMatch(/^vm_[a-z0-9]{6}$/);
    expect(web?.id).toMatch(/^http_web_server_[a-z0-9]{6}$/);
    expect(vm).toMatchObject({
      node_id: 'vm',
      deployment_id: 'dep',
      host_id: vm?.id,
      state: 'uninitialized',
      runtime_properties: {},
      relationships: [],
      index: 1,
      version: 1,
    });
    expect(web).toMatchObject({ node_id: 'http_web_server', host_id: vm?.id });
    expect(web?.relationships).toEqual([
      { target_id: vm?.id, target_name: 'vm', type: 'cloudify.relationships.contained_in' },
    ]);
  });

  it('resolves inputs and get_property statically, with defaults and given values', () => {
    const d = planDeployment({
      blueprintId: 'hw',
      deploymentId: 'dep',
      plan: plan(),
      inputs: { webserver_port: 9090 },
    });
    expect(d.inputs).toEqual({ webserver_port: 9090, agent_name: 'local' });
    const [vmNode, webNode] = d.nodes;
    expect(vmNode?.properties.agent_config).toEqual({ name: 'local' });
    expect(webNode?.properties.port).toBe(9090);
    expect(webNode?.operations.start?.inputs).toEqual({ port: 9090 });
    expect(webNode?.operations['cloudify.interfaces.lifecycle.start']?.inputs).toEqual({ port: 9090 });
    expect(d.outputs.http_endpoint?.value).toBe('http://127.0.0.1:9090');
    expect(webNode).toMatchObject({ deployment_id: 'dep', blueprint_id: 'hw', number_of_instances: 1 });
  });

  it('targets the agent named by agent_config.name', () => {
    const d = planDeployment({
      blueprintId: 'hw',
      deploymentId: 'dep',
      plan: plan(),
      inputs: { agent_name: 'vm7' },
    });
    const vm = d.instances.find((i) => i.node_id === 'vm');
    expect(vm && agentNameOf(d.nodes[0] as never, vm)).toBe('vm7');
  });

  it('evaluates outputs on read', () => {
    const p = plan();
    const d = planDeployment({ blueprintId: 'hw', deploymentId: 'dep', plan: p, inputs: {} });
    const lookup = (name: string) => {
      const node = d.nodes.find((n) => n.id === name);
      return node && { node, instances: d.instances.filter((i) => i.node_id === name) };
    };
    expect(evaluateOutputs(p.outputs, { lookup, inputs: d.inputs })).toEqual({
      http_endpoint: 'http://127.0.0.1:8000',
    });
  });

  it('refuses a nested get_input path the given input lacks', () => {
    const p = parse(
      `${HEADER}inputs:\n  cfg: {type: dict}\nnode_templates:\n  vm:\n    type: cloudify.nodes.Compute\n    properties:\n      ip: { get_input: [cfg, net, ip] }\n`,
    );
    expect(() =>
      planDeployment({ blueprintId: 'b', deploymentId: 'd', plan: p, inputs: { cfg: { net: {} } } }),
    ).toThrow(/get_input: input `cfg` has no \["net","ip"\]/);
  });

  it('refuses wrong and unknown inputs, naming each', () => {
    const err = (() => {
      try {
        planDeployment({
          blueprintId: 'hw',
          deploymentId: 'd',
          plan: plan(),
          inputs: { webserver_port: '80', colour: 'red' },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).errorCode).toBe('unknown_deployment_input_error');
    expect((err as InputError).message).toContain('`colour`');
    expect((err as InputError).message).toContain(
      'input `webserver_port`: expected an integer, got a string',
    );
  });
});
