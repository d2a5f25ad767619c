/**
 * Faults found in review, each injected on the real emulators: a failure whose callback is lost,
 * Dispatch retried after the graph failed, a slow duplicate result, two handlers finding the same
 * orphaned task, recovery walking a finished graph, an ambiguous SQS send, and runtime properties
 * written by an attempt that asked for a retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMessage } from '../../../core/messages.ts';
import type { Store, TaskQueues } from '../../../core/ports.ts';
import { advance } from '../../../functions/dispatch/advance.ts';
import { dispatch } from '../../../functions/dispatch/expand.ts';
import {
  deployDiamond,
  drain,
  type Env,
  engineDeps,
  failOnce,
  newExecution,
  RecordingOrchestrator,
  result,
  startEnv,
  started,
} from './harness.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

/** Wraps one method of `target` with `wrap`, leaving the rest as it is. */
function around<T extends object>(
  target: T,
  method: keyof T,
  wrap: (call: (...args: unknown[]) => Promise<unknown>, ...args: unknown[]) => Promise<unknown>,
): T {
  return new Proxy(target, {
    get(obj, prop) {
      const v = Reflect.get(obj, prop);
      if (typeof v !== 'function') return v;
      const bound = v.bind(obj) as (...args: unknown[]) => Promise<unknown>;
      return prop === method ? (...args: unknown[]) => wrap(bound, ...args) : bound;
    },
  });
}

describe('a failure whose callback never went out', () => {
  it('is reported when the triggering result comes again', async () => {
    const o = new RecordingOrchestrator();
    const id = await deployDiamond(env, 'lostfail');
    // b cannot be sent (its script is gone): a permanent failure of b, found while releasing a's dependents
    await env.blobs.deletePrefix(`blueprints/${id}/scripts/b.sh`);
    // and the handler crashes right after recording b failed, before telling Step Functions
    const store = failOnce(env.store, 'putEvents', ((evs: { event_type: string }[]) =>
      evs.some((e) => e.event_type === 'task_failed')) as never);
    const deps = engineDeps(env, { orchestrator: o, store });
    const exec = await newExecution(env, id);
    await dispatch(deps, { executionId: exec.id, taskToken: 'T' });
    const [a] = await drain(env, id);
    await expect(advance(deps, result(a!))).rejects.toThrow(/injected/);
    expect(o.failed).toEqual([]);
    await advance(deps, result(a!)); // SQS delivers a's result again
    expect(o.failed.map((f) => f.token)).toContain('T');
    expect((await env.store.getExecution(exec.id))?.error).toMatch(/b\.sh/);
  });

  it('Dispatch retried with a new token after the graph failed answers the new token', async () => {
    const o = new RecordingOrchestrator();
    const deps = engineDeps(env, { orchestrator: o });
    const id = await deployDiamond(env, 'newtoken');
    const exec = await newExecution(env, id);
    await dispatch(deps, { executionId: exec.id, taskToken: 't1' });
    const [a] = await drain(env, id);
    await advance(deps, result(a!, 'failed_fatal')); // answered to t1, which Step Functions had closed
    await dispatch(deps, { executionId: exec.id, taskToken: 't2' });
    expect(o.failed.map((f) => f.token)).toEqual(['t1', 't2']);
    expect(await drain(env, id)).toEqual([]);
  });
});

describe('runtime properties', () => {
  it('a slow duplicate of an earlier result does not overwrite what a later task wrote', async () => {
    const deps = engineDeps(env);
    const id = await deployDiamond(env, 'slowdup');
    const exec = await newExecution(env, id);
    await dispatch(deps, { executionId: exec.id, taskToken: 'T' });
    const [a] = await drain(env, id);
    const inst = a!.self.node_instance_id;
    const ra = { ...result(a!), runtime_properties: { [inst]: { set: { ip: 'old' }, unset: [] } } };
    // delivery #2 has read the task (still sent) and stalls before its patch
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    let reached!: () => void;
    const atGate = new Promise<void>((r) => {
      reached = r;
    });
    const slow = around(env.store as Store, 'patchRuntimeProperties', async (call, ...args) => {
      reached();
      await gate;
      return call(...args);
    });
    const dup = advance(engineDeps(env, { store: slow }), ra);
    await atGate;
    await advance(deps, ra); // delivery #1: a succeeds, b and c are released
    const b = (await drain(env, id)).find((m) => m.task_id.startsWith('b_'))!;
    // b, later in the graph, writes a newer value on a's instance
    await advance(deps, { ...result(b), runtime_properties: { [inst]: { set: { ip: 'new' }, unset: [] } } });
    open();
    await dup;
    expect((await env.store.getNodeInstance(inst))?.runtime_properties.ip).toBe('new');
  });

  it('an attempt that asks for a retry keeps what it stored, and the retry sees it', async () => {
    const deps = engineDeps(env);
    const id = await deployDiamond(env, 'retrykeeps', 3);
    const exec = await newExecution(env, id);
    await dispatch(deps, { executionId: exec.id, taskToken: 'T' });
    const [a] = await drain(env, id);
    await advance(deps, {
      ...result(a!, 'retry'),
      runtime_properties: { [a!.self.node_instance_id]: { set: { vm_id: 'i-123' }, unset: [] } },
    });
    const [a1] = await drain(env, id);
    expect(a1?.attempt).toBe(1);
    expect(a1?.self.runtime_properties.vm_id).toBe('i-123');
  });
});

describe('sending', () => {
  it('an orphaned `sending` task found by two handlers at once is sent once', async () => {
    const id = await deployDiamond(env, 'orphan');
    const isB = (m: TaskMessage) => m.task_id.startsWith('b_');
    // a hard crash right after b was claimed: the send fails, and so does giving the claim back
    const queues = failOnce(env.queues, 'sendTask', ((_t: string, m: TaskMessage) => isB(m)) as never);
    const store = failOnce(
      env.store,
      'transitionTask',
      ((_e: string, t: string, c: { from: string[] }, ch: { state?: string }) =>
        t.startsWith('b_') &&
        c.from.length === 1 &&
        c.from[0] === 'sending' &&
        ch.state === 'pending') as never,
    );
    const crashing = engineDeps(env, { queues, store });
    const exec = await newExecution(env, id);
    await dispatch(crashing, { executionId: exec.id, taskToken: 'T' });
    const [a] = await drain(env, id);
    await expect(advance(crashing, result(a!))).rejects.toThrow(/injected/);
    await drain(env, id);
    const b = (await env.store.listTasks(exec.id)).find(
      (t) => t.id.startsWith('b_') && t.kind === 'operation',
    );
    expect(b?.state).toBe('sending');
    // a minute later two copies of a's result arrive in two Advance invocations at once
    const later = engineDeps(env, { now: () => new Date(Date.now() + 60_000) });
    await Promise.all([advance(later, result(a!)), advance(later, result(a!))]);
    expect((await drain(env, id)).filter(isB).map((m) => m.attempt)).toEqual([0]);
  });

  it('a result of a task whose send looked failed (but was not) is kept, and the task is not sent again', async () => {
    const id = await deployDiamond(env, 'ambiguous');
    let armed = true;
    const queues = around(env.queues as TaskQueues, 'sendTask', async (call, ...args) => {
      await call(...args);
      if (armed) {
        armed = false;
        throw new Error('socket timeout after send');
      }
    });
    const deps = engineDeps(env, { queues });
    const exec = await newExecution(env, id);
    await expect(dispatch(deps, { executionId: exec.id, taskToken: 't1' })).rejects.toThrow(/socket/);
    const [a] = await drain(env, id);
    await advance(deps, started(a!));
    await advance(deps, result(a!));
    expect((await env.store.getTask(exec.id, a!.task_id))?.state).toBe('succeeded');
    expect((await drain(env, id)).map((m) => m.task_id.split('_')[0]).sort()).toEqual(['b', 'c']);
    await dispatch(deps, { executionId: exec.id, taskToken: 't2' }); // Step Functions retries Dispatch
    expect(await drain(env, id)).toEqual([]);
  });
});

describe('recovery', () => {
  it('Dispatch run again on a finished graph completes it once, counting each edge at most once', async () => {
    const id = await deployDiamond(env, 'finished');
    const exec = await newExecution(env, id, 'install', { is_dry_run: true });
    const o = new RecordingOrchestrator();
    let adds = 0;
    const counting = around(env.store as Store, 'addDoneDependency', (call, ...args) => {
      adds++;
      return call(...args);
    });
    const deps = engineDeps(env, { orchestrator: o, store: counting });
    await dispatch(deps, { executionId: exec.id, taskToken: 't1' });
    expect(o.completed).toEqual(['t1']);
    const edges = (await env.store.listTasks(exec.id)).reduce((n, t) => n + t.dependents.length, 0);
    expect(adds).toBe(edges);
    adds = 0;
    await dispatch(deps, { executionId: exec.id, taskToken: 't2' });
    expect(o.completed).toEqual(['t1', 't2']);
    expect(adds).toBe(0);
  });
});
