import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorker, type QueueWorkerOptions } from '../../../agent/poller.ts';
import { entity, makeTask } from '../../unit/agent/make-task.ts';
import {
  createQueue,
  type Harness,
  queueDepth,
  ResultReader,
  sendTask,
  sqsClient,
  startHarness,
  waitFor,
} from './sqs-harness.ts';

let h: Harness;
let dir: string;
const workers: QueueWorker[] = [];
const clients: SQSClient[] = [];

beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'stratus-worker-it-'));
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ abandon: true })));
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

interface Setup {
  worker: QueueWorker;
  queue: { name: string; url: string };
  results: ResultReader;
  lines: string[];
  fault: { failResults: boolean };
}

/** A worker on fresh queues; its own SQS client can be told to fail sending `result` messages. */
async function setup(over: Partial<QueueWorkerOptions> = {}): Promise<Setup> {
  const queue = await createQueue(h.sqs, 'agent-it');
  const resultsQueue = await createQueue(h.sqs, 'results');
  const fault = { failResults: false };
  const workerSqs = sqsClient(h.endpoint);
  workerSqs.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { QueueUrl?: string; MessageBody?: string };
      if (
        fault.failResults &&
        input.QueueUrl === resultsQueue.url &&
        input.MessageBody?.includes('"kind":"result"')
      ) {
        throw Object.assign(new Error('injected fault: results queue unreachable'), {
          name: 'InjectedFault',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  clients.push(workerSqs);
  const lines: string[] = [];
  const worker = new QueueWorker({
    sqs: workerSqs,
    queueUrl: queue.url,
    resultsQueueUrl: resultsQueue.url,
    executor: 'it-agent',
    concurrency: 2,
    visibilityTimeoutSeconds: 2,
    workRoot: join(dir, 'work'),
    waitTimeSeconds: 1,
    log: (line) => lines.push(line),
    ...over,
  });
  workers.push(worker);
  worker.start();
  return { worker, queue, results: new ResultReader(h.sqs, resultsQueue.url), lines, fault };
}

/** a script that appends a line to `runs` each time it runs, so tests can count runs */
const countingScript = (runs: string) =>
  `echo run >> "${runs}"\nctx instance runtime-properties url "http://127.0.0.1:$port/"\nctx logger info done`;
const runsOf = async (file: string) =>
  existsSync(file) ? (await readFile(file, 'utf8')).split('\n').length - 1 : 0;

describe('QueueWorker against fauxqs', { timeout: 60_000 }, () => {
  it('runs a task, reports started then the result with runtime-property patches, and deletes the message', async () => {
    const s = await setup();
    const runs = join(dir, 'runs-basic');
    const task = makeTask(countingScript(runs), { inputs: { port: 8080 }, self: entity('web') });
    await sendTask(h.sqs, s.queue.url, task);

    const msgs = await s.results.until('the result', () => s.results.results(task.task_id).length === 1);
    expect(msgs.map((m) => m.kind)).toEqual(['started', 'result']);
    const result = s.results.results(task.task_id)[0]!;
    expect(result).toMatchObject({
      executor: 'it-agent',
      attempt: 0,
      outcome: 'succeeded',
      runtime_properties: { web_a1b2c3: { set: { url: 'http://127.0.0.1:8080/' }, unset: [] } },
    });
    expect(result.kind === 'result' && result.logs.map((l) => l.message)).toEqual(['done']);
    await waitFor('the task message to be deleted', () => queueDepth(h.server, s.queue.name) === 0);
    expect(await runsOf(runs)).toBe(1);
  });

  it('keeps the message while the result cannot be sent, and sends it on redelivery without rerunning', async () => {
    const s = await setup();
    s.fault.failResults = true;
    const runs = join(dir, 'runs-fault');
    const task = makeTask(countingScript(runs), { inputs: { port: 1 } });
    await sendTask(h.sqs, s.queue.url, task);

    await waitFor('the failed result send', () => s.lines.some((l) => l.includes('cannot send the result')));
    expect(queueDepth(h.server, s.queue.name)).toBe(1);
    await s.results.until('started', (m) => m.some((x) => x.kind === 'started'));
    expect(s.results.results(task.task_id)).toEqual([]);

    s.fault.failResults = false;
    await s.results.until(
      'the result after the fault clears',
      () => s.results.results(task.task_id).length >= 1,
    );
    await waitFor('the task message to be deleted', () => queueDepth(h.server, s.queue.name) === 0);
    expect(s.results.results(task.task_id)[0]).toMatchObject({ outcome: 'succeeded' });
    expect(await runsOf(runs)).toBe(1);
  });

  it('does not rerun a task delivered twice: the duplicate gets the remembered result', async () => {
    const s = await setup();
    const runs = join(dir, 'runs-dup');
    const task = makeTask(countingScript(runs), { inputs: { port: 2 } });
    await sendTask(h.sqs, s.queue.url, task);
    await sendTask(h.sqs, s.queue.url, task);

    await s.results.until('two results', () => s.results.results(task.task_id).length === 2);
    await waitFor('both copies to be deleted', () => queueDepth(h.server, s.queue.name) === 0);
    expect(await runsOf(runs)).toBe(1);
    const [first, second] = s.results.results(task.task_id);
    expect(second).toEqual(first);
  });

  it('leaves a malformed message for the dead-letter queue and keeps working', async () => {
    const s = await setup();
    await sendTask(h.sqs, s.queue.url, 'not json at all');
    await sendTask(h.sqs, s.queue.url, JSON.stringify({ v: 1, task_id: 'half-a-task' }));
    await waitFor(
      'both to be refused',
      () => s.lines.filter((l) => l.includes('is not a valid task')).length >= 2,
    );
    expect(
      s.lines.find((l) => l.includes('is not a valid task') && l.includes('execution_id')),
    ).toBeDefined();

    const task = makeTask('ctx logger info fine');
    await sendTask(h.sqs, s.queue.url, task);
    await s.results.until('the valid task result', () => s.results.results(task.task_id).length === 1);
    await waitFor('the valid task to be deleted', () => queueDepth(h.server, s.queue.name) === 2);
    expect(queueDepth(h.server, s.queue.name)).toBe(2);
  });

  it('hides a task whose not_before is in the future until then, without running it', async () => {
    const s = await setup();
    const runs = join(dir, 'runs-later');
    const notBefore = new Date(Date.now() + 3600_000).toISOString();
    const task = makeTask(countingScript(runs), { not_before: notBefore });
    await sendTask(h.sqs, s.queue.url, task);

    await waitFor('the deferral', () => s.lines.some((l) => l.includes('may not start before')));
    const inflight = h.server.inspectQueue(s.queue.name)!.messages.inflight;
    expect(inflight).toHaveLength(1);
    expect(inflight[0]!.visibilityDeadline - Date.now()).toBeGreaterThan(3500_000);
    expect(await runsOf(runs)).toBe(0);
  });

  it('stop() lets a running operation finish and report before it resolves', async () => {
    const s = await setup();
    const go = join(dir, 'go-graceful');
    const task = makeTask(
      `while [ ! -f "${go}" ]; do sleep 0.05; done\nctx instance runtime-properties finished @true`,
    );
    await sendTask(h.sqs, s.queue.url, task);
    await waitFor('the task to start', () => s.lines.some((l) => l.includes(`${task.task_id} attempt 0`)));

    const stopped = s.worker.stop();
    await writeFile(go, '');
    await stopped;
    await s.results.until('the result', () => s.results.results(task.task_id).length === 1);
    expect(s.results.results(task.task_id)[0]).toMatchObject({ outcome: 'succeeded' });
    expect(queueDepth(h.server, s.queue.name)).toBe(0);
  });

  it('stop({abandon}) kills running scripts and returns their messages for redelivery without a result', async () => {
    const s = await setup();
    const task = makeTask('ctx logger info sleeping\nsleep 60');
    await sendTask(h.sqs, s.queue.url, task);
    await waitFor('the task to start', () => s.lines.some((l) => l.includes(`${task.task_id} attempt 0`)));

    await s.worker.stop({ abandon: true });
    expect(s.lines.some((l) => l.includes('abandoned: it will be redelivered'))).toBe(true);
    // back on the queue at once, or after the visibility timeout when SQS handed it to the
    // long poll the stop cut off
    let again: string[] = [];
    await waitFor('the redelivery', async () => {
      const out = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: s.queue.url, WaitTimeSeconds: 1 }));
      again = (out.Messages ?? []).map((m) => JSON.parse(m.Body!).task_id);
      return again.length > 0;
    });
    expect(again).toEqual([task.task_id]);
    await s.results.until('started', (m) => m.some((x) => x.kind === 'started'));
    expect(s.results.results(task.task_id)).toEqual([]);
  });
});
