/** Orchestrator on AWS Step Functions: one Standard execution per Stratus execution, named by its id. */
import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Orchestrator } from '../ports.ts';
import { EXECUTION_INPUT } from '../state-machine.ts';

/** Errors that mean the callback was already answered or the wait ended: nothing left to do. */
const CLOSED_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export class SfnOrchestrator implements Orchestrator {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(executionId: string): Promise<void> {
    if (!this.stateMachineArn)
      throw new Error('SfnOrchestrator: no state machine ARN configured (STATE_MACHINE_ARN)');
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionId,
          input: JSON.stringify(EXECUTION_INPUT(executionId)),
        }),
      );
    } catch (err) {
      // same name and input: Step Functions treats it as the same execution (idempotent start)
      if (err instanceof ExecutionAlreadyExists || (err as Error).name === 'ExecutionAlreadyExists') return;
      throw err;
    }
  }

  async completeGraph(token: string, output: Record<string, unknown>): Promise<void> {
    await this.ignoreClosed(() =>
      this.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  async failGraph(token: string, error: string, cause: string): Promise<void> {
    await this.ignoreClosed(() =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, 256),
          cause: cause.slice(0, 32768),
        }),
      ),
    );
  }

  private async ignoreClosed(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (CLOSED_TOKEN.has((err as Error).name)) return;
      throw err;
    }
  }
}
