/** The Standard state machine of one execution, from the shared ASL definition in core/state-machine.ts. */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  type DefinitionSubstitutions,
  DISPATCH_FUNCTION_ARN,
  FINALIZE_FUNCTION_ARN,
  stateMachineDefinition,
} from '../../core/state-machine.ts';

export interface ExecutionStateMachineProps {
  stateMachineName: string;
  dispatch: IFunction;
  finalize: IFunction;
}

export class ExecutionStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ExecutionStateMachineProps) {
    super(scope, id);
    // vended-logs prefix: keeps the account's CloudWatch Logs resource policy small
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const substitutions: DefinitionSubstitutions = {
      [DISPATCH_FUNCTION_ARN]: props.dispatch.functionArn,
      [FINALIZE_FUNCTION_ARN]: props.finalize.functionArn,
    };
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(stateMachineDefinition())),
      definitionSubstitutions: substitutions,
      logs: { destination: logs, level: LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });
    // the definition is a string, so CDK cannot see the Lambda calls in it: grant them here
    props.dispatch.grantInvoke(this.stateMachine);
    props.finalize.grantInvoke(this.stateMachine);
  }
}
