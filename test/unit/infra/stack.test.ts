import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachineDefinition } from '../../../core/state-machine.ts';
import { StratusStack } from '../../../infra/stratus-stack.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundling is skipped (`aws:cdk:bundling-stacks: []`): these tests read the template, not the code. */
function synth(context: Record<string, unknown> = {}): { stack: StratusStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new StratusStack(app, 'Stratus', { projectRoot });
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

let stack: StratusStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ stack, template } = synth());
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function logicalId(construct: IConstruct): string {
  const child = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(child as CfnElement);
}

function actionsOf(s: Statement): string[] {
  return typeof s.Action === 'string' ? [s.Action] : s.Action;
}

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(fn: { role?: IConstruct }): Statement[] {
  const roleId = logicalId(fn.role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) =>
      (r.Properties.Roles as unknown[]).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsAllowed(fn: { role?: IConstruct }): string[] {
  return statementsOf(fn).flatMap(actionsOf);
}

/** Resources of the statements granting `action`, as JSON text (tokens included). */
function resourcesFor(fn: { role?: IConstruct }, action: string): string {
  return JSON.stringify(
    statementsOf(fn)
      .filter((s) => actionsOf(s).includes(action))
      .map((s) => s.Resource),
  );
}

/** The resource list of the first statement granting `action`. */
function resourceOf(fn: { role?: IConstruct }, action: string): unknown[] {
  const statement = statementsOf(fn).find((s) => actionsOf(s).includes(action));
  if (!statement) throw new Error(`no statement grants ${action}`);
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

const getAtt = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });

describe('table', () => {
  it('is keyed pk/sk with the gsi1 and gsi2 indexes, on demand, with point-in-time recovery, and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          }),
          Match.objectLike({
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
          }),
        ],
        LocalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'lsi1',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'lsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'gsi2sk', AttributeType: 'S' },
          { AttributeName: 'lsi1sk', AttributeType: 'S' },
        ]),
      }),
    });
  });
});

describe('blueprint bucket', () => {
  it('blocks public access, is encrypted, refuses plain HTTP and is retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('queues', () => {
  it.each([
    ['central', () => stack.queues.centralDlq],
    ['results', () => stack.queues.resultsDlq],
  ])('%s redrives to its own dead-letter queue after 5 receives, encrypted', (name, dlq) => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `stratus-${name}`,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlq()), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `stratus-${name}-dlq`,
      SqsManagedSseEnabled: true,
    });
  });

  it('provides the shared dead-letter queue of the agent queues, outside the agent-queue name pattern', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'stratus-agents-dlq',
      SqsManagedSseEnabled: true,
    });
    expect('stratus-agents-dlq'.startsWith('stratus-agent-')).toBe(false);
  });

  it('gives each consumed queue a visibility timeout of at least its consumer timeout', () => {
    const central = resources[logicalId(stack.queues.central)]!.Properties;
    const results = resources[logicalId(stack.queues.results)]!.Properties;
    expect(central.VisibilityTimeout).toBeGreaterThanOrEqual(900);
    expect(results.VisibilityTimeout).toBeGreaterThanOrEqual(60);
  });

  it('takes names from the stratus:prefix context and refuses an invalid prefix by name', () => {
    const acme = synth({ 'stratus:prefix': 'acme' }).template;
    acme.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'acme-central' });
    acme.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'acme-execution' });
    expect(() => synth({ 'stratus:prefix': 'no spaces' })).toThrow(/stratus:prefix.*"no spaces".*allowed/);
  });
});

describe('functions', () => {
  const sharedEnv = () => ({
    TABLE_NAME: ref(stack.data.table),
    BUCKET_NAME: ref(stack.data.bucket),
    CENTRAL_QUEUE_URL: ref(stack.queues.central),
    RESULTS_QUEUE_URL: ref(stack.queues.results),
    QUEUE_PREFIX: 'stratus',
    AGENTS_DLQ_ARN: getAtt(stack.queues.agentsDlq),
  });
  const machineArn = Match.objectLike({
    'Fn::Join': ['', Match.arrayWith([':stateMachine:stratus-execution'])],
  });

  it.each([
    ['Api', 'handler', () => stack.functions.api],
    ['Dispatch', 'dispatch', () => stack.functions.dispatch],
    ['Advance', 'advance', () => stack.functions.advance],
    ['Finalize', 'finalize', () => stack.functions.finalize],
    ['Central', 'handler', () => stack.functions.central],
  ])('%s runs %s on nodejs22.x arm64 with the shared environment', (_name, handler, fn) => {
    const props = resources[logicalId(fn())]!.Properties;
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: `index.${handler}`,
      Architectures: ['arm64'],
    });
    expect((props.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject(
      sharedEnv(),
    );
  });

  it('gives the Api the state machine ARN and IAM auth mode, and Finalize the state machine ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ AUTH_MODE: 'iam', STATE_MACHINE_ARN: machineArn }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.finalize',
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: machineArn }) },
    });
  });

  it('gives Central the Lambda maximum timeout', () => {
    expect(resources[logicalId(stack.functions.central)]!.Properties.Timeout).toBe(900);
  });

  it('feeds Advance from the results queue and Central from the central queue, with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(stack.functions.advance),
      EventSourceArn: getAtt(stack.queues.results),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(stack.functions.central),
      EventSourceArn: getAtt(stack.queues.central),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });
});

describe('state machine', () => {
  it('is a Standard machine running the shared definition, with ERROR logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'stratus-execution',
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR' }),
      TracingConfiguration: { Enabled: true },
      DefinitionSubstitutions: {
        DispatchFunctionArn: getAtt(stack.functions.dispatch),
        FinalizeFunctionArn: getAtt(stack.functions.finalize),
      },
    });
    const machine = resources[logicalId(stack.execution.stateMachine)]!.Properties;
    expect(JSON.parse(machine.DefinitionString as string)).toEqual(stateMachineDefinition());
  });

  it('may invoke the Dispatch and Finalize functions', () => {
    const text = JSON.stringify(statementsOf(stack.execution.stateMachine));
    expect(text).toContain(JSON.stringify(getAtt(stack.functions.dispatch)));
    expect(text).toContain(JSON.stringify(getAtt(stack.functions.finalize)));
    expect(actionsAllowed(stack.execution.stateMachine)).toContain('lambda:InvokeFunction');
  });
});

describe('HTTP API', () => {
  it('routes every path to the Api function and authorizes every route with IAM', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['$default', 'ANY /{proxy+}']);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: getAtt(stack.functions.api),
    });
  });
});

describe('IAM', () => {
  it('grants no wildcard action anywhere', () => {
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy',
    );
    expect(policies.length).toBeGreaterThan(5);
    for (const p of policies) {
      for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        for (const action of actionsOf(s)) expect(action, JSON.stringify(s)).not.toContain('*');
      }
    }
  });

  it('lets the Api start, describe and stop executions of its state machine only', () => {
    const { api } = stack.functions;
    expect(resourcesFor(api, 'states:StartExecution')).toContain(':stateMachine:stratus-execution"');
    expect(resourcesFor(api, 'states:StopExecution')).toContain(':execution:stratus-execution:*');
    expect(actionsAllowed(api)).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 's3:PutObject', 's3:GetObject']),
    );
    expect(actionsAllowed(api)).not.toContain('states:SendTaskSuccess');
  });

  it('lets Dispatch create agent queues and send tasks to them and to central, and close the graph callback', () => {
    const { dispatch } = stack.functions;
    expect(resourcesFor(dispatch, 'sqs:CreateQueue')).toContain(':stratus-agent-*');
    expect(resourcesFor(dispatch, 'sqs:SendMessage')).toContain(':stratus-agent-*');
    expect(resourcesFor(dispatch, 'sqs:SendMessage')).toContain(JSON.stringify(getAtt(stack.queues.central)));
    expect(actionsAllowed(dispatch)).toEqual(
      expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure', 'sqs:SetQueueAttributes']),
    );
    expect(actionsAllowed(dispatch)).not.toContain('s3:PutObject');
  });

  it('lets Advance close the graph callback but not start executions', () => {
    const actions = actionsAllowed(stack.functions.advance);
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
    expect(actions).not.toContain('states:StartExecution');
  });

  it('lets Advance send released tasks, creating an agent queue on first use, but no other queue', () => {
    const { advance } = stack.functions;
    expect(resourcesFor(advance, 'sqs:SendMessage')).toContain(':stratus-agent-*');
    expect(resourcesFor(advance, 'sqs:CreateQueue')).toBe(
      JSON.stringify([resourceOf(advance, 'sqs:SendMessage')[1]]),
    );
    expect(resourcesFor(advance, 'sqs:ReceiveMessage')).toBe(JSON.stringify([getAtt(stack.queues.results)]));
  });

  it('lets Finalize start the next execution but not touch queues or callbacks', () => {
    const actions = actionsAllowed(stack.functions.finalize);
    expect(actions).toContain('states:StartExecution');
    expect(actions.filter((a) => a.startsWith('sqs:') || a.startsWith('s3:'))).toEqual([]);
    expect(actions).not.toContain('states:SendTaskSuccess');
  });

  it('keeps Central away from the table, the bucket and Step Functions; it only sends to the results queue', () => {
    const actions = actionsAllowed(stack.functions.central);
    expect(actions.filter((a) => !a.startsWith('sqs:'))).toEqual([]);
    expect(resourcesFor(stack.functions.central, 'sqs:SendMessage')).toBe(
      JSON.stringify([getAtt(stack.queues.results)]),
    );
    expect(resourcesFor(stack.functions.central, 'sqs:ReceiveMessage')).toBe(
      JSON.stringify([getAtt(stack.queues.central)]),
    );
  });

  it('gives agents their own queue by the stratus-agent principal tag, and send on the results queue only', () => {
    const policy = resources[logicalId(stack.agents.policy)]!.Properties;
    const statements = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toHaveLength(2);
    const own = statements.find((s) => s.Sid === 'OwnQueue')!;
    expect(actionsOf(own).sort()).toEqual(
      [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    expect(JSON.stringify(own.Resource)).toContain(':stratus-agent-${aws:PrincipalTag/stratus-agent}"');
    const send = statements.find((s) => s.Sid === 'SendResults')!;
    expect(send.Action).toBe('sqs:SendMessage');
    expect(send.Resource).toEqual(getAtt(stack.queues.results));
  });

  it('provides an example EC2 agent role tagged with its agent name', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      },
      ManagedPolicyArns: [ref(stack.agents.policy)],
      Tags: [{ Key: 'stratus-agent', Value: 'example' }],
    });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [ref(stack.agents.exampleRole)] });
  });
});

describe('outputs', () => {
  it.each([
    'ApiUrl',
    'TableName',
    'BucketName',
    'ResultsQueueUrl',
    'CentralQueueUrl',
    'StateMachineArn',
    'AgentPolicyArn',
  ])('exports %s', (name) => {
    template.hasOutput(name, {});
  });

  it('gives the API URL with the /api/v3.1 base path', () => {
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.api.httpApi), 'ApiEndpoint'] }, '/api/v3.1']],
      },
    });
  });
});
