/**
 * Orchestrator for the local stack: runs the very state machine definition that CDK deploys, in
 * aws-local-stepfunctions. The Task states are overridden by name with the engine handlers; the
 * `.waitForTaskToken` callback becomes a pending promise keyed by the token, which completeGraph /
 * failGraph settle (as SendTaskSuccess / SendTaskFailure do on AWS).
 */
import '../core/polyfills.ts';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { errorMessage } from '../core/errors.ts';
import type { Orchestrator } from '../core/ports.ts';
import {
  DISPATCH_STATE,
  type DispatchPayload,
  EXECUTION_INPUT,
  FINALIZE_STATE,
  type FinalizePayload,
  renderDefinition,
} from '../core/state-machine.ts';

export interface LocalStateHandlers {
  dispatch(payload: DispatchPayload): Promise<void>;
  finalize(payload: FinalizePayload): Promise<void>;
}

interface Waiter {
  resolve(output: Record<string, unknown>): void;
  reject(err: Error): void;
}

const LOCAL_ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:stratus-local-${name}`;

export class LocalOrchestrator implements Orchestrator {
  private readonly machine: StateMachine;
  private readonly waiters = new Map<string, Waiter>();
  private readonly runs = new Map<string, { abort(): void; done: Promise<unknown> }>();
  /** the state machine's own transitions, for the benchmark */
  transitions = 0;
  private handlers: LocalStateHandlers | null = null;

  constructor(private readonly log: (message: string, fields?: Record<string, unknown>) => void) {
    this.machine = new StateMachine(
      JSON.parse(
        renderDefinition({
          DispatchFunctionArn: LOCAL_ARN('dispatch'),
          FinalizeFunctionArn: LOCAL_ARN('finalize'),
        }),
      ),
    );
  }

  /** The engine's handlers need this orchestrator, so they are attached after construction. */
  attach(handlers: LocalStateHandlers): void {
    this.handlers = handlers;
  }

  async start(executionId: string): Promise<void> {
    if (this.runs.has(executionId)) return; // same as Step Functions: one execution per name
    const handlers = this.handlers;
    if (!handlers) throw new Error('LocalOrchestrator: handlers not attached');
    const token = `local-${randomUUID()}`;
    const run = this.machine.run(EXECUTION_INPUT(executionId) as never, {
      context: { Task: { Token: token } } as never,
      overrides: {
        taskResourceLocalHandlers: {
          [DISPATCH_STATE]: async (input) => {
            const payload = (input as unknown as { Payload: DispatchPayload }).Payload;
            const wait = new Promise<Record<string, unknown>>((resolve, reject) => {
              this.waiters.set(payload.taskToken, { resolve, reject });
            });
            wait.catch(() => {});
            try {
              await handlers.dispatch(payload);
            } catch (err) {
              this.waiters.delete(payload.taskToken);
              throw err;
            }
            return (await wait) as never;
          },
          [FINALIZE_STATE]: async (input) => {
            await handlers.finalize((input as unknown as { Payload: FinalizePayload }).Payload);
            return null;
          },
        },
      },
    });
    const done = run.result
      .catch((err: unknown) =>
        this.log('state machine ended with an error', { executionId, error: errorMessage(err) }),
      )
      .finally(() => this.runs.delete(executionId));
    this.runs.set(executionId, { abort: () => run.abort(), done });
    void this.count(run.eventLogs);
  }

  private async count(events: AsyncGenerator<{ type: string }>): Promise<void> {
    for await (const e of events) if (e.type === 'StateEntered') this.transitions++;
  }

  async completeGraph(token: string, output: Record<string, unknown>): Promise<void> {
    const w = this.waiters.get(token);
    this.waiters.delete(token);
    w?.resolve(output); // an unknown token is a closed one: nothing to do, as on AWS
  }

  async failGraph(token: string, error: string, cause: string): Promise<void> {
    const w = this.waiters.get(token);
    this.waiters.delete(token);
    if (!w) return;
    const err = new Error(cause);
    err.name = error;
    w.reject(err);
  }

  /** Executions whose state machine is running here now. */
  running(): string[] {
    return [...this.runs.keys()];
  }

  /** Waits for every running state machine to end (tests), or aborts them (shutdown). */
  async stop(): Promise<void> {
    for (const r of this.runs.values()) r.abort();
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }
}
