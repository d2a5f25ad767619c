/** Records for the store's integration tests: valid shapes with unique ids, overridable per test. */

import { randomUUID } from 'node:crypto';
import type {
  Blueprint,
  BlueprintPlan,
  Deployment,
  DeploymentNode,
  Execution,
  NodeInstance,
  StratusEvent,
  Task,
} from '../../../core/model.ts';
import { executionRecord } from '../../../core/services/executions.ts';

/** A unique id per call, so tests share one emulator without seeing each other's records. */
export function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function plan(nodes: BlueprintPlan['nodes'] = []): BlueprintPlan {
  return { tosca_definitions_version: 'cloudify_dsl_1_4', inputs: {}, nodes, outputs: {}, workflows: {} };
}

export function blueprint(over: Partial<Blueprint> = {}): Blueprint {
  return {
    id: uid('bp'),
    main_file_name: 'blueprint.yaml',
    description: null,
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    state: 'uploaded',
    tenant_name: 'default_tenant',
    visibility: 'tenant',
    plan: plan(),
    ...over,
  };
}

export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: uid('dep'),
    blueprint_id: 'bp',
    inputs: {},
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    description: null,
    workflows: [{ name: 'install', operation: 'cloudify.plugins.workflows.install', parameters: {} }],
    outputs: {},
    tenant_name: 'default_tenant',
    visibility: 'tenant',
    ...over,
  };
}

export function node(dep: Deployment, id: string): DeploymentNode {
  return {
    id,
    type: 'cloudify.nodes.Root',
    type_hierarchy: ['cloudify.nodes.Root'],
    properties: { port: 8080 },
    operations: {},
    relationships: [],
    deployment_id: dep.id,
    blueprint_id: dep.blueprint_id,
    number_of_instances: 1,
    deploy_number_of_instances: 1,
    planned_number_of_instances: 1,
    min_number_of_instances: 0,
    max_number_of_instances: -1,
  };
}

export function instance(dep: Deployment, nodeId: string, over: Partial<NodeInstance> = {}): NodeInstance {
  return {
    id: uid(nodeId),
    node_id: nodeId,
    deployment_id: dep.id,
    host_id: null,
    state: 'uninitialized',
    runtime_properties: {},
    relationships: [],
    index: 0,
    version: 1,
    scaling_groups: [],
    ...over,
  };
}

export function execution(over: Partial<Execution> = {}): Execution {
  return executionRecord({
    id: uid('ex'),
    deployment_id: 'dep',
    blueprint_id: 'bp',
    workflow_id: 'install',
    created_at: '2024-01-01T00:00:00.000Z',
    ...over,
  });
}

export function task(executionId: string, id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    kind: 'local',
    name: 'join',
    node_instance_id: null,
    dependencies: [],
    subgraph: null,
    actions: [],
    execution_id: executionId,
    state: 'pending',
    attempt: 0,
    order: 0,
    max_retries: 3,
    retry_interval: 1,
    dependents: [],
    done_dependencies: [],
    error: null,
    result: null,
    updated_at: '2024-01-01T00:00:00.000Z',
    ...over,
  };
}

export function event(executionId: string, id: string, over: Partial<StratusEvent> = {}): StratusEvent {
  return {
    id,
    execution_id: executionId,
    type: 'cloudify_event',
    event_type: 'workflow_node_event',
    level: null,
    message: `event ${id}`,
    timestamp: '2024-01-01T00:00:00.000Z',
    reported_timestamp: '2024-01-01T00:00:00.000Z',
    deployment_id: 'dep',
    workflow_id: 'install',
    node_instance_id: null,
    node_name: null,
    operation: null,
    error_causes: null,
    ...over,
  };
}
