/**
 * Parse + plan a deployment of 10,000 node instances (100 hosts × 100 contained nodes, with
 * connected_to links), two ways: many instances of few templates, and many templates of one instance.
 * Planning is O(instances + links); the numbers here should grow linearly with the sizes.
 */
import { performance } from 'node:perf_hooks';
import { planDeployment } from '../core/deployment/plan.ts';
import { parseBlueprint } from '../core/dsl/parse.ts';

const HEAD = 'tosca_definitions_version: cloudify_dsl_1_4\nimports:\n  - cloudify/types/types.yaml\n';
const OP = `    interfaces:
      cloudify.interfaces.lifecycle:
        create: scripts/noop.sh
        start:
          implementation: scripts/noop.sh
          inputs: { port: { get_property: [SELF, port] } }
`;

/** One host template with `hosts` instances and `perHost` app templates contained in it, chained by connected_to. */
function manyInstances(hosts: number, perHost: number): string {
  let y = `${HEAD}inputs:\n  port: {type: integer, default: 8080}\nnode_templates:\n  host:\n    type: cloudify.nodes.Compute\n    capabilities: {scalable: {properties: {default_instances: ${hosts}}}}\n`;
  for (let i = 0; i < perHost; i++) {
    y += `  app${i}:\n    type: cloudify.nodes.WebServer\n    properties: { port: { get_input: port } }\n${OP}    relationships:\n      - {type: cloudify.relationships.contained_in, target: host}\n`;
    if (i > 0) y += `      - {type: cloudify.relationships.connected_to, target: app${i - 1}}\n`;
  }
  return y;
}

/** `hosts` host templates, each with `perHost` app templates contained in it, chained by connected_to. */
function manyTemplates(hosts: number, perHost: number): string {
  let y = `${HEAD}node_templates:\n`;
  for (let h = 0; h < hosts; h++) {
    y += `  h${h}:\n    type: cloudify.nodes.Compute\n`;
    for (let i = 0; i < perHost; i++) {
      y += `  h${h}_a${i}:\n    type: cloudify.nodes.WebServer\n${OP}    relationships:\n      - {type: cloudify.relationships.contained_in, target: h${h}}\n`;
      if (i > 0) y += `      - {type: cloudify.relationships.connected_to, target: h${h}_a${i - 1}}\n`;
    }
  }
  return y;
}

function measure(label: string, yaml: string): string {
  const files = new Map([
    ['blueprint.yaml', yaml],
    ['scripts/noop.sh', 'true\n'],
  ]);
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const plan = parseBlueprint(files, 'blueprint.yaml');
  const t1 = performance.now();
  const d = planDeployment({ blueprintId: 'bench', deploymentId: 'bench', plan, inputs: {} });
  const t2 = performance.now();
  const heap1 = process.memoryUsage().heapUsed;
  const links = d.instances.reduce((n, i) => n + i.relationships.length, 0);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return (
    `plan ${label}: ${plan.nodes.length} templates, ${d.instances.length} instances, ${links} links; ` +
    `parse ${(t1 - t0).toFixed(0)} ms, plan ${(t2 - t1).toFixed(0)} ms, ` +
    `heap +${mb(heap1 - heap0)} MiB (rss ${mb(process.memoryUsage().rss)} MiB)`
  );
}

export async function benchPlan(): Promise<string[]> {
  return [
    measure('100 host instances × 100 contained templates', manyInstances(100, 100)),
    measure('100 host templates × 100 contained templates', manyTemplates(100, 100)),
    measure('linearity check, 50 × 100 templates', manyTemplates(50, 100)),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchPlan()) console.log(line);
}
