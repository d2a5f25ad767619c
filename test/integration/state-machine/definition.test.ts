// The polyfill must load before aws-local-stepfunctions (Promise.withResolvers on Node 20).
import '../../../core/polyfills.ts';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../../../core/errors.ts';
import {
  DISPATCH_STATE,
  EXECUTION_INPUT,
  FINALIZE_STATE,
  renderDefinition,
} from '../../../core/state-machine.ts';
import { StratusStack } from '../../../infra/stratus-stack.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'token-of-the-graph-callback';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];
type LambdaCall = { FunctionName: string; Payload: Record<string, Json> };

/** A fake ARN for each CloudFormation reference, so the substituted definition names its functions. */
function fakeArn(value: unknown): string {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  const id = v['Fn::GetAtt']?.[0] ?? v.Ref;
  if (id === undefined) throw new Error(`unexpected substitution value ${JSON.stringify(value)}`);
  return `arn:aws:lambda:us-east-1:123456789012:function:${id}`;
}

/** Resolves a template string value: a plain string or an Fn::Join of strings and references. */
function resolveString(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : fakeArn(part))).join(join[0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

let definition: StateMachineDefinition;
let functionArns: { dispatch: string; finalize: string };

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StratusStack(app, 'Stratus', { projectRoot });
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines) as { Properties: Record<string, unknown> }[];
  if (!machine) throw new Error('the template has no state machine');
  let text = resolveString(machine.Properties.DefinitionString);
  const substitutions = (machine.Properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(substitutions))
    text = text.replaceAll(`\${${key}}`, fakeArn(value));
  expect(text).not.toMatch(/\$\{[A-Za-z]/);
  definition = JSON.parse(text) as StateMachineDefinition;
  functionArns = {
    dispatch: fakeArn({
      'Fn::GetAtt': [stack.getLogicalId(stack.functions.dispatch.node.defaultChild as never), 'Arn'],
    }),
    finalize: fakeArn({
      'Fn::GetAtt': [stack.getLogicalId(stack.functions.finalize.node.defaultChild as never), 'Arn'],
    }),
  };
});

interface Handlers {
  dispatch: (call: LambdaCall) => Promise<Json> | Json;
  finalize?: (call: LambdaCall) => Promise<Json> | Json;
}

/** Runs the synthesized definition with the validation on, the two Task states served locally. */
async function run(executionId: string, handlers: Handlers) {
  const finalizeCalls: LambdaCall[] = [];
  // a copy: the interpreter writes into the definition it is given (e.g. QueryLanguage)
  const machine = new StateMachine(structuredClone(definition));
  const options: RunOptions = {
    context: { Task: { Token: TOKEN } },
    overrides: {
      taskResourceLocalHandlers: {
        [DISPATCH_STATE]: (input) => handlers.dispatch(input as LambdaCall),
        [FINALIZE_STATE]: (input) => {
          finalizeCalls.push(input as LambdaCall);
          return handlers.finalize ? handlers.finalize(input as LambdaCall) : { StatusCode: 200 };
        },
      },
      // the retriers wait seconds, with jitter: no real waiting in tests
      retryIntervalOverrides: { [DISPATCH_STATE]: 0, [FINALIZE_STATE]: 0 },
    },
  };
  const execution = machine.run(EXECUTION_INPUT(executionId) as unknown as Json, options);
  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const output = await execution.result;
  await collected;
  return { output, events, finalizeCalls };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const retries = (events: EventLog[], state: string) =>
  events.filter((e) => e?.type === 'StateRetried' && 'state' in e && e.state.name === state).length;

describe('the synthesized state machine in the local interpreter', () => {
  it('waits on Dispatch until the graph completes, then gives Finalize the graph output', async () => {
    const dispatchCalls: LambdaCall[] = [];
    const graphDone = deferred<Json>();
    const dispatched = deferred<void>();
    const running = run('exec-ok', {
      dispatch: (call) => {
        dispatchCalls.push(call);
        dispatched.resolve();
        return graphDone.promise; // the callback: closed later by the last result (Advance)
      },
    });
    await dispatched.promise;
    graphDone.resolve({ status: 'terminated', tasks: 3 });
    const { output, finalizeCalls } = await running;

    expect(dispatchCalls).toEqual([
      { FunctionName: functionArns.dispatch, Payload: { executionId: 'exec-ok', taskToken: TOKEN } },
    ]);
    expect(finalizeCalls).toEqual([
      {
        FunctionName: functionArns.finalize,
        Payload: { executionId: 'exec-ok', graph: { status: 'terminated', tasks: 3 }, error: null },
      },
    ]);
    // Finalize's own result is discarded (ResultPath null): the output is the state, not the Lambda's answer
    expect(output).toEqual({
      executionId: 'exec-ok',
      graph: { status: 'terminated', tasks: 3 },
      error: null,
    });
  });

  it('routes a failed graph to Finalize with the error and no graph', async () => {
    const failed = Object.assign(new Error('node web_abc123: create.sh exited with 1'), {
      name: 'GraphFailed',
    });
    const { finalizeCalls, events } = await run('exec-failed', {
      dispatch: () => {
        throw failed;
      },
    });
    expect(finalizeCalls).toEqual([
      {
        FunctionName: functionArns.finalize,
        Payload: {
          executionId: 'exec-failed',
          graph: null,
          error: { Error: 'GraphFailed', Cause: 'node web_abc123: create.sh exited with 1' },
        },
      },
    ]);
    expect(retries(events, DISPATCH_STATE)).toBe(0);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('retries Dispatch on a RetryableError and then goes on', async () => {
    let calls = 0;
    const { finalizeCalls, events } = await run('exec-retry', {
      dispatch: () => {
        calls += 1;
        if (calls < 3) throw new RetryableError('table throttled');
        return { status: 'terminated' };
      },
    });
    expect(calls).toBe(3);
    expect(retries(events, DISPATCH_STATE)).toBe(2);
    expect(finalizeCalls.map((c) => c.Payload)).toEqual([
      { executionId: 'exec-retry', graph: { status: 'terminated' }, error: null },
    ]);
  });

  it('retries a throttled Lambda service call', async () => {
    let calls = 0;
    const { finalizeCalls } = await run('exec-throttled', {
      dispatch: () => {
        calls += 1;
        if (calls === 1)
          throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
        return { status: 'terminated' };
      },
    });
    expect(calls).toBe(2);
    expect(finalizeCalls[0]?.Payload.error).toBeNull();
  });

  it('does not retry a NonRetryableError: Finalize gets it at once', async () => {
    let calls = 0;
    const { finalizeCalls } = await run('exec-permanent', {
      dispatch: () => {
        calls += 1;
        throw new NonRetryableError('workflow uninstall_all is not defined');
      },
    });
    expect(calls).toBe(1);
    expect(finalizeCalls[0]?.Payload.error).toEqual({
      Error: 'NonRetryableError',
      Cause: 'workflow uninstall_all is not defined',
    });
  });

  it('gives up retrying after the last attempt and still finalizes with the error', async () => {
    let calls = 0;
    const { finalizeCalls } = await run('exec-exhausted', {
      dispatch: () => {
        calls += 1;
        throw new RetryableError('still throttled');
      },
    });
    expect(calls).toBe(6); // the first attempt and 5 retries
    expect(finalizeCalls[0]?.Payload.error).toEqual({ Error: 'RetryableError', Cause: 'still throttled' });
  });

  it('retries Finalize on a RetryableError', async () => {
    let calls = 0;
    const { events, output } = await run('exec-finalize-retry', {
      dispatch: () => ({ status: 'terminated' }),
      finalize: () => {
        calls += 1;
        if (calls === 1) throw new RetryableError('deployment lock busy');
        return { StatusCode: 200 };
      },
    });
    expect(calls).toBe(2);
    expect(retries(events, FINALIZE_STATE)).toBe(1);
    expect(output).toEqual({
      executionId: 'exec-finalize-retry',
      graph: { status: 'terminated' },
      error: null,
    });
  });

  it('makes as many state transitions for a graph of 10,000 tasks as for a graph of 1', async () => {
    /** The graph's size only changes the work behind the one callback, never the state machine's path. */
    const runGraph = async (size: number) => {
      const tasks = Array.from({ length: size }, (_, i) => ({ id: `task-${i}`, state: 'pending' }));
      return run(`exec-${size}`, {
        dispatch: async () => {
          for (const task of tasks) {
            await Promise.resolve(); // one result message per task, each handled by Advance
            task.state = 'succeeded';
          }
          return { status: 'terminated', finished: tasks.filter((t) => t.state === 'succeeded').length };
        },
      });
    };
    const small = await runGraph(1);
    const large = await runGraph(10_000);
    const shape = (events: EventLog[]) =>
      events.map((e) => `${e?.type}:${e && 'state' in e ? e.state.name : ''}`);

    expect(large.finalizeCalls[0]?.Payload.graph).toEqual({ status: 'terminated', finished: 10_000 });
    expect(shape(large.events)).toEqual(shape(small.events));
    expect(shape(small.events)).toEqual([
      'ExecutionStarted:',
      `StateEntered:${DISPATCH_STATE}`,
      `StateExited:${DISPATCH_STATE}`,
      `StateEntered:${FINALIZE_STATE}`,
      `StateExited:${FINALIZE_STATE}`,
      'ExecutionSucceeded:',
    ]);
  });

  it('is the same document that renderDefinition gives for the same function ARNs', () => {
    const rendered = renderDefinition({
      DispatchFunctionArn: functionArns.dispatch,
      FinalizeFunctionArn: functionArns.finalize,
    });
    expect(JSON.parse(rendered)).toEqual(definition);
  });

  it('refuses an execution input without an execution id', () => {
    expect(() => EXECUTION_INPUT('')).toThrow(/executionId/);
  });
});
