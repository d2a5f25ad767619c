/**
 * Stratus's own `types.yaml`: what a blueprint gets by importing Cloudify's built-in types under any
 * Cloudify spec URL or `cloudify/types/types.yaml`. Written as data in the blueprint's own shape so it
 * goes through the same parser as user files. Only the lifecycle interfaces Stratus runs are declared
 * (agent-installer, monitoring and validation interfaces of Cloudify's file have no meaning here).
 */
import type { JsonObject } from '../model.ts';

export const BUILTIN_TYPES_FILE = 'types.yaml';

const LIFECYCLE_OPS = [
  'precreate',
  'create',
  'configure',
  'start',
  'poststart',
  'prestop',
  'stop',
  'delete',
  'postdelete',
  'preheal',
  'heal',
  'postheal',
] as const;
const RELATIONSHIP_LIFECYCLE_OPS = ['preconfigure', 'postconfigure', 'establish', 'unlink'] as const;

const noOps = (names: readonly string[]): JsonObject => Object.fromEntries(names.map((n) => [n, {}]));

const derived = (parent: string): JsonObject => ({ derived_from: parent });

const FILTER_PARAMETERS: JsonObject = {
  type_names: { type: 'list', default: [] },
  node_ids: { type: 'list', default: [] },
  node_instance_ids: { type: 'list', default: [] },
};

const wf = (name: string, parameters: JsonObject = {}): JsonObject => ({
  mapping: `default_workflows.cloudify.plugins.workflows.${name}`,
  parameters,
});

export const BUILTIN_TYPES: JsonObject = {
  tosca_definitions_version: 'cloudify_dsl_1_4',
  node_types: {
    'cloudify.nodes.Root': {
      interfaces: { 'cloudify.interfaces.lifecycle': noOps(LIFECYCLE_OPS) },
    },
    'cloudify.nodes.Compute': {
      derived_from: 'cloudify.nodes.Root',
      properties: {
        ip: { default: '' },
        os_family: { default: 'linux' },
        // Stratus: `agent_config.name` names the agent (queue `agent-<name>`) that runs the host's operations
        agent_config: { type: 'dict', default: {} },
        install_agent: { default: '' },
        cloudify_agent: { default: {} },
      },
    },
    'cloudify.nodes.Container': derived('cloudify.nodes.Compute'),
    'cloudify.nodes.Tier': derived('cloudify.nodes.Root'),
    'cloudify.nodes.Volume': derived('cloudify.nodes.Root'),
    'cloudify.nodes.ObjectStorage': derived('cloudify.nodes.Root'),
    'cloudify.nodes.Network': derived('cloudify.nodes.Root'),
    'cloudify.nodes.Subnet': derived('cloudify.nodes.Root'),
    'cloudify.nodes.Port': derived('cloudify.nodes.Root'),
    'cloudify.nodes.Router': derived('cloudify.nodes.Root'),
    'cloudify.nodes.LoadBalancer': derived('cloudify.nodes.Root'),
    'cloudify.nodes.VirtualIP': derived('cloudify.nodes.Root'),
    'cloudify.nodes.SecurityGroup': derived('cloudify.nodes.Root'),
    'cloudify.nodes.SoftwareComponent': derived('cloudify.nodes.Root'),
    'cloudify.nodes.DBMS': derived('cloudify.nodes.SoftwareComponent'),
    'cloudify.nodes.Database': derived('cloudify.nodes.Root'),
    'cloudify.nodes.WebServer': {
      derived_from: 'cloudify.nodes.SoftwareComponent',
      properties: { port: { default: 80 } },
    },
    'cloudify.nodes.ApplicationServer': derived('cloudify.nodes.SoftwareComponent'),
    'cloudify.nodes.MessageBusServer': derived('cloudify.nodes.SoftwareComponent'),
    'cloudify.nodes.ApplicationModule': derived('cloudify.nodes.Root'),
  },
  relationships: {
    'cloudify.relationships.depends_on': {
      source_interfaces: { 'cloudify.interfaces.relationship_lifecycle': noOps(RELATIONSHIP_LIFECYCLE_OPS) },
      target_interfaces: { 'cloudify.interfaces.relationship_lifecycle': noOps(RELATIONSHIP_LIFECYCLE_OPS) },
      properties: { connection_type: { default: 'all_to_all' } },
    },
    'cloudify.relationships.connected_to': derived('cloudify.relationships.depends_on'),
    'cloudify.relationships.contained_in': derived('cloudify.relationships.depends_on'),
    'cloudify.relationships.depends_on_lifecycle_operation': {
      derived_from: 'cloudify.relationships.depends_on',
      properties: { operation: { type: 'string', description: "The target's lifecycle operation name." } },
    },
  },
  workflows: {
    install: wf('install', { ...FILTER_PARAMETERS }),
    uninstall: wf('uninstall', { ignore_failure: { type: 'boolean', default: false }, ...FILTER_PARAMETERS }),
    reinstall: wf('reinstall', { ignore_failure: { type: 'boolean', default: false }, ...FILTER_PARAMETERS }),
    start: wf('start', {
      operation_parms: { default: {} },
      run_by_dependency_order: { default: true },
      ...FILTER_PARAMETERS,
    }),
    stop: wf('stop', {
      operation_parms: { default: {} },
      run_by_dependency_order: { default: true },
      ...FILTER_PARAMETERS,
    }),
    restart: wf('restart', {
      stop_parms: { default: {} },
      start_parms: { default: {} },
      run_by_dependency_order: { default: true },
      ...FILTER_PARAMETERS,
    }),
    execute_operation: wf('execute_operation', {
      operation: { type: 'string', description: 'The operation to run (full or short name)' },
      operation_kwargs: { default: {} },
      allow_kwargs_override: { default: null },
      run_by_dependency_order: { default: false },
      ...FILTER_PARAMETERS,
    }),
    heal: wf('heal', {
      node_instance_id: { type: 'string', required: false, description: 'Which node instance has failed' },
      diagnose_value: { default: 'Not provided', description: 'Diagnosed reason of failure' },
      ignore_failure: { type: 'boolean', default: true },
      check_status: { type: 'boolean', default: true },
      allow_reinstall: { type: 'boolean', default: true },
      force_reinstall: { type: 'boolean', default: false },
    }),
    scale: wf('scale', {
      scalable_entity_name: {
        type: 'string',
        description: 'Which node to scale (node name, not instance id)',
      },
      delta: { type: 'integer', default: 1 },
      scale_compute: { type: 'boolean', default: false },
      include_instances: { default: null },
      exclude_instances: { default: null },
      ignore_failure: { type: 'boolean', default: false },
      rollback_if_failed: { default: true },
      abort_started: { type: 'boolean', default: false },
    }),
  },
};

/** Imports that mean "Cloudify's built-in types.yaml". */
export function isBuiltinTypesImport(url: string): boolean {
  return (
    url === 'cloudify/types/types.yaml' ||
    /^https?:\/\/(www\.)?(getcloudify\.org|cloudify\.co)\/spec\/cloudify\/[^/\s]+\/types\.yaml$/.test(url)
  );
}
