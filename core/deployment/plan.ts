/**
 * Deployment creation from a blueprint plan: inputs checked and completed, static intrinsic functions
 * resolved in properties and operation inputs (get_attribute stays for send time), instances planned.
 */
import { resolveStatic, type StaticContext } from '../dsl/functions.ts';
import { InputError } from '../errors.ts';
import type {
  BlueprintPlan,
  DeploymentNode,
  Json,
  JsonObject,
  NodeInstance,
  OperationSpec,
  Operations,
  PlanNode,
} from '../model.ts';
import { validateDeploymentInputs } from './inputs.ts';
import { planInstances } from './instances.ts';
import { resolveInstanceCounts } from './scaling.ts';

export interface PlanDeploymentArgs {
  blueprintId: string;
  deploymentId: string;
  plan: BlueprintPlan;
  inputs: JsonObject;
  /** source of instance id suffixes (tests pass a seeded one) */
  random?: () => number;
}

export interface DeploymentPlan {
  inputs: JsonObject;
  nodes: DeploymentNode[];
  instances: NodeInstance[];
  /** outputs with get_input and get_property resolved; get_attribute left for read time */
  outputs: BlueprintPlan['outputs'];
}

export function planDeployment(args: PlanDeploymentArgs): DeploymentPlan {
  const { plan } = args;
  const inputs = validateDeploymentInputs(plan.inputs, args.inputs);
  const planNodes = new Map(plan.nodes.map((n) => [n.id, n]));

  // node properties, resolved on demand so get_property can follow references in any order
  const resolved = new Map<string, Map<string, Json>>();
  const resolving = new Set<string>();
  const property = (node: string, name: string): Json | undefined => {
    const cache = resolved.get(node) ?? new Map<string, Json>();
    resolved.set(node, cache);
    if (cache.has(name)) return cache.get(name);
    const raw = planNodes.get(node)?.properties;
    if (!raw || !Object.hasOwn(raw, name)) return undefined;
    const key = `${node}.${name}`;
    if (resolving.has(key)) throw new InputError(`get_property references form a cycle at \`${key}\``);
    resolving.add(key);
    const v = resolveStatic(raw[name] as Json, ctxFor(node));
    resolving.delete(key);
    cache.set(name, v);
    return v;
  };
  const ctxFor = (self: string, target?: string): StaticContext => ({
    inputs,
    self,
    ...(target === undefined ? {} : { target, relationship: true }),
    property,
  });

  const nodes = plan.nodes.map((n) => deploymentNode(n, args, inputs, property, ctxFor));
  const instances = planInstances(args.deploymentId, nodes, args.random);

  const outputs: BlueprintPlan['outputs'] = {};
  for (const [name, o] of Object.entries(plan.outputs)) {
    outputs[name] = { ...o, value: resolveStatic(o.value, { inputs, property }) };
  }
  return { inputs, nodes, instances, outputs };
}

function resolveOperations(ops: Operations, ctx: StaticContext): Operations {
  // full and short names share one spec: resolve each once and keep the sharing
  const done = new Map<OperationSpec, OperationSpec>();
  const out: Operations = {};
  for (const [name, spec] of Object.entries(ops)) {
    let r = done.get(spec);
    if (!r) {
      const inputs = resolveStatic(spec.inputs, ctx) as JsonObject;
      r = inputs === spec.inputs ? spec : { ...spec, inputs };
      done.set(spec, r);
    }
    out[name] = r;
  }
  return out;
}

function deploymentNode(
  n: PlanNode,
  args: PlanDeploymentArgs,
  inputs: JsonObject,
  property: (node: string, name: string) => Json | undefined,
  ctxFor: (self: string, target?: string) => StaticContext,
): DeploymentNode {
  const properties: JsonObject = {};
  for (const k of Object.keys(n.properties)) properties[k] = property(n.id, k) as Json;
  const scal = resolveInstanceCounts(n, inputs);
  const { capabilities: _caps, ...rest } = n;
  return {
    ...rest,
    properties,
    operations: resolveOperations(n.operations, ctxFor(n.id)),
    relationships: n.relationships.map((r) => {
      const ctx = ctxFor(n.id, r.target_id);
      return {
        ...r,
        properties: resolveStatic(r.properties, ctx) as JsonObject,
        source_operations: resolveOperations(r.source_operations, ctx),
        target_operations: resolveOperations(r.target_operations, ctx),
      };
    }),
    deployment_id: args.deploymentId,
    blueprint_id: args.blueprintId,
    number_of_instances: scal.default_instances,
    deploy_number_of_instances: scal.default_instances,
    planned_number_of_instances: scal.default_instances,
    min_number_of_instances: scal.min_instances,
    max_number_of_instances: scal.max_instances,
  };
}
