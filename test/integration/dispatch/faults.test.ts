/**
 * The engine under injected faults, on real emulators: duplicate results, a crash between "task
 * recorded" and "dependents released", concurrent completions, a lost retry, late and out-of-order
 * messages. In each case every task is sent once per attempt and the graph completes once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMessage } from '../../../core/messages.ts';
import { advance } from '../../../functions/dispatch/advance.ts';
import type { EngineDeps } from '../../../functions/dispatch/deps.ts';
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

/** Runs the graph to the end: each message sent is "run" (started + result) by `run`. */
async function runToEnd(
  deps: EngineDeps,
  agent: string,
  run: (m: TaskMessage) => Promise<void> = async (m) => {
    await advance(deps, started(m));
    await advance(deps, result(m));
  },
): Promise<TaskMessage[]> {
  const sent: TaskMessage[] = [];
  for (let round = 0; round < 50; round++) {
    const batch = await drain(env, agent);
    if (batch.length === 0) break;
    sent.push(...batch);
    for (const m of batch) await run(m);
  }
  return sent;
}

function ids(msgs: TaskMessage[]): string[] {
  return msgs.map((m) => `${m.task_id}@${m.attempt}`).sort();
}

async function start(deps: EngineDeps, deploymentId: string) {
  const exec = await newExecution(env, deploymentId);
  await dispatch(deps, { executionId: exec.id, taskToken: `token-${exec.id}` });
  return exec;
}

describe('results delivered more than once', () => {
  it('a duplicate result releases nothing twice and the graph completes', async () => {
    const o = new RecordingOrchestrator();
    const deps = engineDeps(env, { orchestrator: o });
    const exec = await start(deps, await deployDiamond(env, 'dup'));
    const agent = 'dup';
    const sent = await runToEnd(deps, agent, async (m) => {
      await advance(deps, started(m));
      const r = result(m);
      await advance(deps, r);
      await advance(deps, r); // SQS delivered it again
      await advance(deps, started(m)); // and the started one, late
    });
    expect(ids(sent)).toEqual(
      ['a', 'b', 'c', 'd'].map((n) => expect.stringMatching(new RegExp(`^${n}_\\w{6}\\.create@0$`))),
    );
    expect(new Set(o.completed)).toEqual(new Set([`token-${exec.id}`]));
    const events = await env.store.listEvents(exec.id, { offset: 0, size: 1000 });
    const succeeded = events.items.filter((e) => e.event_type === 'task_succeeded');
    expect(succeeded).toHaveLength(4);
    const tasks = await env.store.listTasks(exec.id);
    expect(tasks.every((t) => t.state === 'succeeded')).toBe(true);
  });
});

describe('a crash between "task recorded" and "dependents released"', () => {
  it('the redelivered result finishes the release exactly once', async () => {
    const o = new RecordingOrchestrator();
    const depId = await deployDiamond(env, 'crash');
    const agent = depId;
    // the first attempt to release a dependent of a's create fails, after a is recorded succeeded
    const crashing = failOnce(
      env.store,
      'addDoneDependency',
      ((_e: string, _t: string, dep: string) => dep.startsWith('a_') && dep.endsWith('.create')) as never,
    );
    const deps = engineDeps(env, { orchestrator: o, store: crashing });
    const exec = await start(deps, depId);
    const first = await drain(env, agent);
    expect(first.map((m) => m.task_id)).toEqual([expect.stringMatching(/^a_\w{6}\.create$/)]);
    const a = first[0]!;
    await advance(deps, started(a));
    await expect(advance(deps, result(a))).rejects.toThrow(/injected crash/);
    // recorded, but nothing released
    expect((await env.store.getTask(exec.id, a.task_id))?.state).toBe('succeeded');
    expect(await drain(env, agent)).toEqual([]);
    // SQS delivers the result again
    await advance(deps, result(a));
    const rest = await runToEnd(deps, agent);
    expect(rest.map((m) => m.task_id.split('_')[0]).sort()).toEqual(['b', 'c', 'd']);
    expect(o.completed).toContain(`token-${exec.id}`);
    const runtime = await env.store.getNodeInstance(a.self.node_instance_id);
    expect(runtime?.runtime_properties).toEqual({ done_0: true });
  });

  it('two dependencies finishing at once release their dependent once', async () => {
    const deps = engineDeps(env);
    const agent = await deployDiamond(env, 'race');
    const exec = await start(deps, agent);
    const [a] = await drain(env, agent);
    await advance(deps, result(a!));
    const bc = await drain(env, agent);
    expect(bc).toHaveLength(2);
    // b and c report concurrently (two Advance invocations), twice each
    await Promise.all(bc.flatMap((m) => [advance(deps, result(m)), advance(deps, result(m))]));
    const d = await drain(env, agent);
    expect(d.map((m) => m.task_id)).toEqual([expect.stringMatching(/^d_\w{6}\.create$/)]);
    await advance(deps, result(d[0]!));
    expect(await drain(env, agent)).toEqual([]);
    const ops = (await env.store.listTasks(exec.id)).filter((t) => t.kind === 'operation');
    expect(ops.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });
});

describe('retries', () => {
  it('a retry lost by a crash before it was sent is sent when the result comes again', async () => {
    const o = new RecordingOrchestrator();
    const depId = await deployDiamond(env, 'retry', 2);
    const agent = depId;
    let queues = failOnce(env.queues, 'sendTask', ((_t: string, m: TaskMessage) => m.attempt === 1) as never);
    const deps = engineDeps(env, { orchestrator: o, queues });
    const exec = await start(deps, depId);
    const [a] = await drain(env, agent);
    const failure = result(a!, 'failed_recoverable');
    await expect(advance(deps, failure)).rejects.toThrow(/injected crash/);
    let task = await env.store.getTask(exec.id, a!.task_id);
    expect(task).toMatchObject({ state: 'rescheduled', attempt: 1 });
    await advance(deps, failure); // redelivered
    const retry = await drain(env, agent);
    expect(retry.map((m) => [m.task_id, m.attempt])).toEqual([[a!.task_id, 1]]);
    // a late copy of the old failure changes nothing now
    queues = env.queues;
    await advance(deps, failure);
    expect(await drain(env, agent)).toEqual([]);
    task = await env.store.getTask(exec.id, a!.task_id);
    expect(task).toMatchObject({ state: 'sent', attempt: 1 });
    // the retry succeeds; an old attempt's success arriving late is ignored too
    await advance(deps, result(a!, 'succeeded'));
    expect((await env.store.getTask(exec.id, a!.task_id))?.state).toBe('sent');
    await advance(deps, result(retry[0]!));
    await runToEnd(deps, agent);
    expect(o.completed).toEqual([`token-${exec.id}`]);
    const rescheduled = (await env.store.listEvents(exec.id, { offset: 0, size: 1000 })).items.filter(
      (e) => e.event_type === 'task_rescheduled',
    );
    expect(rescheduled).toHaveLength(1);
  });

  it('retries run out: the task fails and the graph fails once, naming the error', async () => {
    const o = new RecordingOrchestrator();
    const deps = engineDeps(env, { orchestrator: o });
    const agent = await deployDiamond(env, 'out', 1);
    const exec = await start(deps, agent);
    const [a0] = await drain(env, agent);
    await advance(deps, result(a0!, 'failed_recoverable'));
    const [a1] = await drain(env, agent);
    expect(a1?.attempt).toBe(1);
    await advance(deps, result(a1!, 'failed_recoverable'));
    await advance(deps, result(a1!, 'failed_recoverable'));
    expect(await drain(env, agent)).toEqual([]);
    expect(o.failed.map((f) => f.token)).toEqual([`token-${exec.id}`, `token-${exec.id}`]);
    expect(o.failed[0]?.cause).toContain(`boom in ${a1!.task_id}`);
    expect((await env.store.getExecution(exec.id))?.error).toContain('boom in');
    expect((await env.store.getTask(exec.id, a1!.task_id))?.state).toBe('failed');
  });

  it('ctx abort_operation fails at once whatever the retries left', async () => {
    const o = new RecordingOrchestrator();
    const deps = engineDeps(env, { orchestrator: o });
    const agent = await deployDiamond(env, 'abort', 5);
    await start(deps, agent);
    const [a] = await drain(env, agent);
    await advance(deps, result(a!, 'failed_fatal'));
    expect(await drain(env, agent)).toEqual([]);
    expect(o.failed).toHaveLength(1);
  });
});

describe('messages out of order', () => {
  it('a result before its started message: succeeded stays, both events recorded', async () => {
    const deps = engineDeps(env);
    const agent = await deployDiamond(env, 'order');
    const exec = await start(deps, agent);
    const [a] = await drain(env, agent);
    const s = started(a!);
    await advance(deps, result(a!));
    await advance(deps, s);
    expect((await env.store.getTask(exec.id, a!.task_id))?.state).toBe('succeeded');
    const types = (await env.store.listEvents(exec.id, { offset: 0, size: 1000 })).items
      .filter((e) => e.operation && e.node_instance_id === a!.self.node_instance_id)
      .map((e) => e.event_type);
    expect(types).toEqual(['sending_task', 'task_started', 'task_succeeded']);
  });

  it('Dispatch running twice writes the graph once and sends each root once', async () => {
    const o = new RecordingOrchestrator();
    const deps = engineDeps(env, { orchestrator: o });
    const agent = await deployDiamond(env, 'twice');
    const exec = await newExecution(env, agent);
    await dispatch(deps, { executionId: exec.id, taskToken: 't1' });
    await dispatch(deps, { executionId: exec.id, taskToken: 't2' });
    const first = await drain(env, agent);
    expect(first.map((m) => m.task_id)).toEqual([expect.stringMatching(/^a_\w{6}\.create$/)]);
    await advance(deps, result(first[0]!));
    await runToEnd(deps, agent, async (m) => advance(deps, result(m)));
    // the newest token is the one that is answered
    expect(o.completed).toEqual(['t2']);
  });
});
