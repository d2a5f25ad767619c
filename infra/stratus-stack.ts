/**
 * The Stratus stack: storage, queues, functions, the execution state machine, the HTTP API and the
 * agents' access policy. Environment-agnostic and lookup-free, so `cdk synth` works with no account.
 * Every function's rights are granted below, explicitly and one function at a time.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { AgentAccess } from './constructs/agent-access.ts';
import { StratusData } from './constructs/data.ts';
import { ExecutionStateMachine } from './constructs/execution-state-machine.ts';
import { FUNCTION_TIMEOUTS, StratusFunctions } from './constructs/functions.ts';
import { StratusHttpApi } from './constructs/http-api.ts';
import { StratusQueues } from './constructs/queues.ts';
import {
  checkAgentName,
  DEFAULT_EXAMPLE_AGENT,
  DEFAULT_PREFIX,
  EXAMPLE_AGENT_CONTEXT_KEY,
  executionArns,
  PREFIX_CONTEXT_KEY,
  queueArn,
  stateMachineArn,
  stratusNames,
} from './naming.ts';

export interface StratusStackProps extends StackProps {
  /** absolute path of the project root (package-lock.json, functions/...) */
  projectRoot: string;
  /** resource name prefix; default: context `stratus:prefix`, else `stratus` */
  prefix?: string;
  /** agent name of the example agent role; default: context `stratus:exampleAgent`, else `example` */
  exampleAgentName?: string;
}

function contextString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new Error(`context ${key}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export class StratusStack extends Stack {
  readonly data: StratusData;
  readonly queues: StratusQueues;
  readonly functions: StratusFunctions;
  readonly execution: ExecutionStateMachine;
  readonly api: StratusHttpApi;
  readonly agents: AgentAccess;

  constructor(scope: Construct, id: string, props: StratusStackProps) {
    super(scope, id, props);
    const names = stratusNames(props.prefix ?? contextString(this, PREFIX_CONTEXT_KEY) ?? DEFAULT_PREFIX);
    const exampleAgentName = checkAgentName(
      props.exampleAgentName ?? contextString(this, EXAMPLE_AGENT_CONTEXT_KEY) ?? DEFAULT_EXAMPLE_AGENT,
      `context ${EXAMPLE_AGENT_CONTEXT_KEY}`,
    );

    this.data = new StratusData(this, 'Data');
    this.queues = new StratusQueues(this, 'Queues', {
      names,
      // AWS advises six times the consumer's timeout, so throttled retries do not re-deliver early
      resultsVisibilityTimeout: Duration.seconds(FUNCTION_TIMEOUTS.advance.toSeconds() * 6),
      centralVisibilityTimeout: Duration.seconds(FUNCTION_TIMEOUTS.central.toSeconds() + 5 * 60),
    });
    const { table, bucket } = this.data;
    const { central, results, agentsDlq } = this.queues;
    const machineArn = stateMachineArn(this, names);
    const agentQueues = queueArn(this, `${names.agentQueuePrefix}*`);

    this.functions = new StratusFunctions(this, 'Functions', {
      projectRoot: props.projectRoot,
      environment: {
        TABLE_NAME: table.tableName,
        BUCKET_NAME: bucket.bucketName,
        CENTRAL_QUEUE_URL: central.queueUrl,
        RESULTS_QUEUE_URL: results.queueUrl,
        QUEUE_PREFIX: names.prefix,
        AGENTS_DLQ_ARN: agentsDlq.queueArn,
      },
      extraEnvironment: {
        api: { STATE_MACHINE_ARN: machineArn, AUTH_MODE: 'iam' },
        finalize: { STATE_MACHINE_ARN: machineArn },
      },
    });
    const { api, dispatch, advance, finalize, central: centralFn } = this.functions;

    this.execution = new ExecutionStateMachine(this, 'Execution', {
      stateMachineName: names.stateMachine,
      dispatch,
      finalize,
    });

    // ---- rights, per function ----
    const allow = (who: IGrantable, sid: string, actions: string[], resources: string[]): void => {
      who.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources }),
      );
    };
    const bucketRead = (who: IGrantable): void => {
      allow(who, 'ReadBlueprintFiles', ['s3:GetObject'], [bucket.arnForObjects('*')]);
      allow(who, 'ListBlueprintFiles', ['s3:ListBucket'], [bucket.bucketArn]);
    };
    const sendTasks = (who: IGrantable): void => {
      allow(who, 'SendTasks', ['sqs:SendMessage', 'sqs:GetQueueUrl'], [central.queueArn, agentQueues]);
    };
    // Agent queues are created on first use, by whichever of Dispatch and Advance first sends there.
    const createAgentQueues = (who: IGrantable): void => {
      allow(who, 'CreateAgentQueues', ['sqs:CreateQueue'], [agentQueues]);
    };
    // Task tokens of service integrations cannot be scoped to a resource: IAM only accepts `*` here.
    const closeGraph = (who: IGrantable): void => {
      allow(who, 'CloseGraphCallback', ['states:SendTaskSuccess', 'states:SendTaskFailure'], ['*']);
    };

    // Api: the REST API over the store, blueprint files, and execution control
    table.grantReadWriteData(api);
    bucketRead(api);
    allow(api, 'WriteBlueprintFiles', ['s3:PutObject', 's3:DeleteObject'], [bucket.arnForObjects('*')]);
    allow(api, 'StartExecutions', ['states:StartExecution'], [machineArn]);
    allow(
      api,
      'ControlExecutions',
      ['states:DescribeExecution', 'states:StopExecution'],
      [executionArns(this, names)],
    );

    // Dispatch: expands the graph and sends the first tasks
    table.grantReadWriteData(dispatch);
    bucketRead(dispatch);
    sendTasks(dispatch);
    createAgentQueues(dispatch);
    allow(dispatch, 'UpdateAgentQueues', ['sqs:SetQueueAttributes'], [agentQueues]);
    closeGraph(dispatch);

    // Advance: consumes results (via its event source), sends released tasks, closes the graph
    table.grantReadWriteData(advance);
    bucketRead(advance);
    sendTasks(advance);
    createAgentQueues(advance);
    closeGraph(advance);

    // Finalize: records the end, releases the deployment, starts the next queued execution
    table.grantReadWriteData(finalize);
    allow(finalize, 'StartQueuedExecution', ['states:StartExecution'], [machineArn]);

    // Central: consumes the central queue (via its event source) and reports results, nothing else
    results.grantSendMessages(centralFn);

    // ---- event sources ----
    advance.addEventSource(new SqsEventSource(results, { batchSize: 10, reportBatchItemFailures: true }));
    // one operation per invocation: a long operation must not hold others back
    centralFn.addEventSource(new SqsEventSource(central, { batchSize: 1, reportBatchItemFailures: true }));

    this.api = new StratusHttpApi(this, 'Http', { handler: api });
    this.agents = new AgentAccess(this, 'Agents', { names, results, exampleAgentName });

    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('ApiUrl', this.api.url, 'Base URL of the Stratus API (IAM-signed requests)');
    output('TableName', table.tableName, 'DynamoDB table');
    output('BucketName', bucket.bucketName, 'Blueprint files');
    output('CentralQueueUrl', central.queueUrl, 'Tasks run by the central executor');
    output('ResultsQueueUrl', results.queueUrl, 'Results queue agents send to');
    output('StateMachineArn', this.execution.stateMachine.stateMachineArn, 'Execution state machine');
    output(
      'AgentPolicyArn',
      this.agents.policy.managedPolicyArn,
      'Attach to an agent identity tagged stratus-agent=<name>',
    );
    output(
      'AgentInstanceProfileName',
      this.agents.exampleInstanceProfile.instanceProfileName,
      `EC2 instance profile of the example agent "${exampleAgentName}"`,
    );
  }
}
