/**
 * Cloudify's node instance lifecycle (cloudify/plugins/lifecycle.py) as graph building:
 * install, uninstall and reinstall of a set of node instances, ordered by their relationships.
 *
 * Differences from Cloudify, on purpose: node instance states are set even around no-op operations
 * (the state tells where an instance is, whatever its node implements; consecutive state changes and
 * events are merged into one task by the graph builder, so this costs nothing), and failure handlers
 * (retry the whole subgraph by reinstalling it) are not part of the graph.
 */
import type { GraphTask, NodeInstanceState } from '../../core/model.ts';
import type { WorkflowContext, WorkflowNodeInstance } from './context.ts';
import type { GraphItem, SequenceStep, Subgraph } from './graph.ts';

const LC = 'cloudify.interfaces.lifecycle.';
const RL = 'cloudify.interfaces.relationship_lifecycle.';

/** Installs the instances; each one's install starts after the install of the instances it relates to. */
export function installNodeInstances(
  ctx: WorkflowContext,
  instances: WorkflowNodeInstance[],
  container?: Subgraph,
  /** the state the instances will be in when this part runs (reinstall: deleted), else their current one */
  assumedState?: NodeInstanceState,
): void {
  const parent = container ?? ctx.graph.root;
  const subgraphs = new Map<string, Subgraph>();
  const opAnchors = new Map<string, Map<string, GraphItem>>();
  for (const inst of instances) {
    const sub = parent.subgraph(`install_${inst.id}`);
    opAnchors.set(inst.id, installInstance(inst, sub, assumedState ?? inst.state));
    subgraphs.set(inst.id, sub);
  }
  for (const inst of instances) {
    const source = subgraphs.get(inst.id) as Subgraph;
    for (const rel of inst.relationships) {
      const target = subgraphs.get(rel.target.id);
      if (!target) continue; // outside the set: already there
      const op = lifecycleOperationProperty(rel.properties.operation);
      if (op === null) {
        ctx.graph.dependsOn(source, target);
        continue;
      }
      // depends_on_lifecycle_operation: wait only for what precedes that operation of the target
      const anchor = opAnchors.get(rel.target.id)?.get(op);
      if (anchor) ctx.graph.dependsOn(source, anchor);
    }
  }
}

/** Uninstalls the instances; an instance goes only after every instance that relates to it. */
export function uninstallNodeInstances(
  ctx: WorkflowContext,
  instances: WorkflowNodeInstance[],
  container?: Subgraph,
): void {
  const parent = container ?? ctx.graph.root;
  const subgraphs = new Map<string, Subgraph>();
  const opAnchors = new Map<string, Map<string, GraphItem>>();
  for (const inst of instances) {
    const sub = parent.subgraph(`uninstall_${inst.id}`);
    opAnchors.set(inst.id, uninstallInstance(inst, sub));
    subgraphs.set(inst.id, sub);
  }
  for (const inst of instances) {
    const source = subgraphs.get(inst.id) as Subgraph;
    for (const rel of [...inst.relationships].reverse()) {
      const target = subgraphs.get(rel.target.id);
      if (!target) continue;
      const op = lifecycleOperationProperty(rel.properties.operation);
      if (op === null) {
        ctx.graph.dependsOn(target, source);
        continue;
      }
      const anchor = opAnchors.get(inst.id)?.get(op);
      if (anchor) ctx.graph.dependsOn(target, anchor);
    }
  }
}

/** Uninstalls then installs the instances (the whole uninstall first, as Cloudify runs two graphs). */
export function reinstallNodeInstances(ctx: WorkflowContext, instances: WorkflowNodeInstance[]): void {
  const uninstall = ctx.graph.subgraph('reinstall.uninstall');
  const install = ctx.graph.subgraph('reinstall.install');
  uninstallNodeInstances(ctx, instances, uninstall);
  installNodeInstances(ctx, instances, install, 'deleted');
  ctx.graph.dependsOn(install, uninstall);
}

const CREATED_OR_LATER: NodeInstanceState[] = [
  'started',
  'starting',
  'created',
  'creating',
  'configured',
  'configuring',
];

/**
 * One instance's install sequence. Steps already done (by the instance's state) are skipped, as
 * Cloudify does, so that re-running install after a failure resumes. Returns, per lifecycle operation
 * name, the step just before it (for depends_on_lifecycle_operation).
 */
function installInstance(
  inst: WorkflowNodeInstance,
  sub: Subgraph,
  state: NodeInstanceState,
): Map<string, GraphItem> {
  const steps: SequenceStep[] = [];
  const op = (name: string) => inst.executeOperation(LC + name);

  if (!CREATED_OR_LATER.includes(state)) {
    steps.push(inst.setState('initializing'));
    steps.push(...wrapped(inst, op('precreate'), 'Precreating node instance', 'Node instance precreated'));
  }
  if (!['started', 'starting', 'created', 'configuring', 'configured'].includes(state)) {
    steps.push(
      inst.setState('creating'),
      ...announced(inst, op('create'), 'Creating node instance', 'Node instance created'),
    );
    steps.push(inst.setState('created'));
  }
  if (!['started', 'starting', 'configured'].includes(state)) {
    steps.push(
      ...wrapped(
        inst,
        relationshipOperations(inst, 'preconfigure'),
        'Pre-configuring relationships',
        'Relationships pre-configured',
      ),
    );
    steps.push(inst.setState('configuring'));
    steps.push(...announced(inst, op('configure'), 'Configuring node instance', 'Node instance configured'));
    steps.push(inst.setState('configured'));
  }
  if (state !== 'started') {
    steps.push(
      ...wrapped(
        inst,
        relationshipOperations(inst, 'postconfigure'),
        'Post-configuring relationships',
        'Relationships post-configured',
      ),
    );
    steps.push(inst.setState('starting'));
    steps.push(...announced(inst, op('start'), 'Starting node instance', null));
    steps.push(...wrapped(inst, op('poststart'), 'Poststarting node instance', 'Node instance poststarted'));
    steps.push(
      ...wrapped(
        inst,
        relationshipOperations(inst, 'establish'),
        'Establishing relationships',
        'Relationships established',
      ),
    );
  }
  steps.push(inst.setState('started'), inst.sendEvent('Node instance started'));
  sub.sequence(...steps);
  return anchors(steps);
}

function uninstallInstance(inst: WorkflowNodeInstance, sub: Subgraph): Map<string, GraphItem> {
  const state = inst.state;
  const steps: SequenceStep[] = [];
  const op = (name: string) => inst.executeOperation(LC + name);

  if (['stopped', 'deleting', 'deleted', 'uninitialized'].includes(state)) {
    steps.push(inst.sendEvent(`Stop: instance already ${state}`));
  } else {
    steps.push(inst.setState('stopping'), inst.sendEvent('Stopping node instance'));
    steps.push(...wrapped(inst, op('prestop'), 'Prestopping node instance', 'Node instance prestopped'));
    const stop = op('stop');
    steps.push(stop, inst.sendEvent(stop ? 'Stopped node instance' : 'Stopped node instance: nothing to do'));
  }
  if (!['stopped', 'deleting', 'deleted'].includes(state)) steps.push(inst.setState('stopped'));
  if (['deleted', 'uninitialized'].includes(state)) {
    steps.push(inst.sendEvent(`Delete: instance already ${state}`));
  } else {
    steps.push(
      ...wrapped(
        inst,
        relationshipOperations(inst, 'unlink', true),
        'Unlinking relationships',
        'Relationships unlinked',
      ),
    );
    steps.push(inst.setState('deleting'));
    steps.push(...announced(inst, op('delete'), 'Deleting node instance', null));
    steps.push(...wrapped(inst, op('postdelete'), 'Postdeleting node instance', 'Node instance postdeleted'));
  }
  if (state !== 'deleted') steps.push(inst.setState('deleted'), inst.sendEvent('Deleted node instance'));
  sub.sequence(...steps);
  return anchors(steps);
}

/** [pre-event, steps..., post-event], or nothing when there is nothing to run (no-ops). */
function wrapped(
  inst: WorkflowNodeInstance,
  steps: GraphItem | SequenceStep[] | null,
  pre: string,
  post: string,
): SequenceStep[] {
  const list = Array.isArray(steps) ? steps : steps ? [steps] : [];
  return list.length > 0 ? [inst.sendEvent(pre), ...list, inst.sendEvent(post)] : [];
}

/** [event, task, post-event?]; a no-op still says so (`...: nothing to do`), as Cloudify does. */
function announced(
  inst: WorkflowNodeInstance,
  task: GraphTask | null,
  pre: string,
  post: string | null,
): SequenceStep[] {
  if (!task) return [inst.sendEvent(`${pre}: nothing to do`)];
  return post ? [inst.sendEvent(pre), task, inst.sendEvent(post)] : [inst.sendEvent(pre), task];
}

/**
 * Relationship operations of one instance as sequence steps: relationships to the same target run in
 * parallel (source and target sides too), groups of different targets one after the other (reversed
 * for unlink). Empty when every one is a no-op.
 */
function relationshipOperations(inst: WorkflowNodeInstance, name: string, reverse = false): GraphTask[][] {
  const groups: GraphTask[][] = [];
  let lastTarget: string | null = null;
  for (const rel of inst.relationships) {
    const tasks = [rel.executeSourceOperation(RL + name), rel.executeTargetOperation(RL + name)].filter(
      (t): t is GraphTask => t !== null,
    );
    if (rel.target.id === lastTarget && groups.length > 0)
      (groups[groups.length - 1] as GraphTask[]).push(...tasks);
    else groups.push(tasks);
    lastTarget = rel.target.id;
  }
  const nonEmpty = groups.filter((g) => g.length > 0);
  return reverse ? nonEmpty.reverse() : nonEmpty;
}

/** For each lifecycle operation task among the steps: the step before it. */
function anchors(steps: SequenceStep[]): Map<string, GraphItem> {
  const flat = steps.filter((s): s is GraphItem => Boolean(s) && !Array.isArray(s));
  const out = new Map<string, GraphItem>();
  for (let i = 1; i < flat.length; i++) {
    const s = flat[i] as GraphItem;
    if ('kind' in s && s.kind === 'operation' && s.name.startsWith(LC)) {
      out.set(s.name.slice(LC.length), flat[i - 1] as GraphItem);
    }
  }
  return out;
}

/** The `operation` property of depends_on_lifecycle_operation (short or full name), else null. */
function lifecycleOperationProperty(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.startsWith(LC) ? value.slice(LC.length) : value;
}
