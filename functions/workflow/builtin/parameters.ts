/**
 * Built-in workflow parameters: Cloudify's schemas (types.yaml) and reading them with defaults.
 * The API validates parameters against the deployment's schema; this reads them again so that a
 * workflow never runs on a value of the wrong shape, and names the parameter when it is wrong.
 */
import type { InputSpec, Json, JsonObject } from '../../../core/model.ts';
import type { WorkflowContext, WorkflowNodeInstance } from '../context.ts';

const filterParameters: Record<string, InputSpec> = {
  type_names: { default: [], type: 'list' },
  node_ids: { default: [], type: 'list' },
  node_instance_ids: { default: [], type: 'list' },
};

/** Built-in workflow name -> Cloudify mapping and parameter schema. */
export const BUILTIN_WORKFLOW_SCHEMAS: Record<
  string,
  { mapping: string; parameters: Record<string, InputSpec> }
> = {
  install: { mapping: 'cloudify.plugins.workflows.install', parameters: {} },
  uninstall: {
    mapping: 'cloudify.plugins.workflows.uninstall',
    parameters: { ignore_failure: { default: false, type: 'boolean' }, ...filterParameters },
  },
  reinstall: {
    mapping: 'cloudify.plugins.workflows.reinstall',
    parameters: { ignore_failure: { default: false, type: 'boolean' }, ...filterParameters },
  },
  execute_operation: {
    mapping: 'cloudify.plugins.workflows.execute_operation',
    parameters: {
      operation: { type: 'string', description: 'The operation to run (full or short name)' },
      operation_kwargs: { default: {}, type: 'dict' },
      allow_kwargs_override: { default: null },
      run_by_dependency_order: { default: false, type: 'boolean' },
      ...filterParameters,
    },
  },
  start: {
    mapping: 'cloudify.plugins.workflows.start',
    parameters: {
      operation_parms: { default: {}, type: 'dict' },
      run_by_dependency_order: { default: true, type: 'boolean' },
      ...filterParameters,
    },
  },
  stop: {
    mapping: 'cloudify.plugins.workflows.stop',
    parameters: {
      operation_parms: { default: {}, type: 'dict' },
      run_by_dependency_order: { default: true, type: 'boolean' },
      ...filterParameters,
    },
  },
  restart: {
    mapping: 'cloudify.plugins.workflows.restart',
    parameters: {
      stop_parms: { default: {}, type: 'dict' },
      start_parms: { default: {}, type: 'dict' },
      run_by_dependency_order: { default: true, type: 'boolean' },
      ...filterParameters,
    },
  },
  heal: {
    mapping: 'cloudify.plugins.workflows.auto_heal_reinstall_node_subgraph',
    parameters: {
      node_instance_id: { required: false, description: 'Which node instance has failed' },
      diagnose_value: { default: 'Not provided', description: 'Diagnosed reason of failure' },
      ignore_failure: { default: true, type: 'boolean' },
      check_status: { default: true, type: 'boolean' },
      allow_reinstall: { default: true, type: 'boolean' },
      force_reinstall: { default: false, type: 'boolean' },
    },
  },
  scale: {
    mapping: 'cloudify.plugins.workflows.scale_entity',
    parameters: {
      scalable_entity_name: { description: 'Which node or group to scale' },
      delta: { default: 1, type: 'integer' },
      scale_compute: { default: false, type: 'boolean' },
      ignore_failure: { default: false, type: 'boolean' },
      include_instances: { default: [], type: 'list' },
      exclude_instances: { default: [], type: 'list' },
      rollback_if_failed: { default: true, type: 'boolean' },
    },
  },
};

/** Reads parameters of a built-in workflow with its defaults; errors name the parameter. */
export class Parameters {
  constructor(
    private readonly ctx: WorkflowContext,
    private readonly schema: Record<string, InputSpec>,
  ) {}

  private raw(name: string): Json | undefined {
    const given = this.ctx.parameters[name];
    if (given !== undefined) return given;
    const spec = this.schema[name];
    if (spec && 'default' in spec) return spec.default;
    return undefined;
  }

  required(name: string): Json {
    const v = this.raw(name);
    if (v === undefined || v === null) throw this.ctx.error(`parameter ${name} is required`);
    return v;
  }

  string(name: string): string {
    const v = this.required(name);
    if (typeof v !== 'string' || v === '')
      throw this.ctx.error(`parameter ${name} must be a non-empty string, got ${show(v)}`);
    return v;
  }

  boolean(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    // the Cloudify CLI sends booleans given with -p as strings
    if (v === 'true' || v === 'false') return v === 'true';
    throw this.ctx.error(`parameter ${name} must be a boolean (true or false), got ${show(v)}`);
  }

  /** null stays null (e.g. allow_kwargs_override: null means "not given"). */
  optionalBoolean(name: string): boolean | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    return this.boolean(name);
  }

  dict(name: string): JsonObject {
    const v = this.raw(name);
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v))
      throw this.ctx.error(`parameter ${name} must be a dict, got ${show(v)}`);
    return v;
  }

  stringList(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw this.ctx.error(`parameter ${name} must be a list of strings, got ${show(v)}`);
    }
    return v as string[];
  }
}

function show(v: Json): string {
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Cloudify's _filter_node_instances: instances of the given nodes, of nodes of the given types, with
 * the given ids (each list empty = no filter). Unknown node or instance ids are an error (Cloudify
 * ignores them; a typo would silently do nothing).
 */
export function filterInstances(ctx: WorkflowContext, params: Parameters): WorkflowNodeInstance[] {
  const nodeIds = params.stringList('node_ids');
  const instanceIds = params.stringList('node_instance_ids');
  const typeNames = params.stringList('type_names');
  const unknownNodes = nodeIds.filter((id) => !ctx.getNode(id));
  if (unknownNodes.length > 0)
    throw ctx.error(`parameter node_ids: unknown nodes ${unknownNodes.join(', ')}`);
  const unknownInstances = instanceIds.filter((id) => !ctx.getInstance(id));
  if (unknownInstances.length > 0) {
    throw ctx.error(`parameter node_instance_ids: unknown node instances ${unknownInstances.join(', ')}`);
  }
  const nodeSet = new Set(nodeIds);
  const instanceSet = new Set(instanceIds);
  const out: WorkflowNodeInstance[] = [];
  for (const node of ctx.nodes) {
    if (nodeSet.size > 0 && !nodeSet.has(node.id)) continue;
    if (typeNames.length > 0 && !typeNames.some((t) => node.typeHierarchy.includes(t))) continue;
    for (const inst of node.instances) {
      if (instanceSet.size > 0 && !instanceSet.has(inst.id)) continue;
      out.push(inst);
    }
  }
  return out;
}
