/**
 * What a host agent may do, by attribute-based access control: one managed policy for every agent,
 * whose queue is named by the `stratus-agent` tag of the agent's own IAM identity. An agent may
 * receive, delete and extend messages on `<prefix>-agent-<its tag>` and send to the results queue;
 * nothing else (no table, no task tokens, no other queue).
 */
import { Tags } from 'aws-cdk-lib';
import {
  Effect,
  InstanceProfile,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AGENT_TAG_KEY, queueArn, type StratusNames } from '../naming.ts';

export const AGENT_QUEUE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
] as const;

export interface AgentAccessProps {
  names: StratusNames;
  results: IQueue;
  /** agent name of the example role (its `stratus-agent` tag) */
  exampleAgentName: string;
}

export class AgentAccess extends Construct {
  readonly policy: ManagedPolicy;
  readonly exampleRole: Role;
  readonly exampleInstanceProfile: InstanceProfile;

  constructor(scope: Construct, id: string, props: AgentAccessProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'AgentPolicy', {
      description: `Stratus host agent: its own queue (${props.names.agentQueuePrefix}<tag ${AGENT_TAG_KEY}>) and the results queue`,
      statements: [
        new PolicyStatement({
          sid: 'OwnQueue',
          effect: Effect.ALLOW,
          actions: [...AGENT_QUEUE_ACTIONS],
          // IAM fills the variable from the caller's tag; an identity without the tag matches no queue
          resources: [queueArn(this, `${props.names.agentQueuePrefix}\${aws:PrincipalTag/${AGENT_TAG_KEY}}`)],
        }),
        new PolicyStatement({
          sid: 'SendResults',
          effect: Effect.ALLOW,
          actions: ['sqs:SendMessage'],
          resources: [props.results.queueArn],
        }),
      ],
    });

    // An example identity for an EC2 host; give each agent its own role (or user) with its own tag.
    this.exampleRole = new Role(this, 'AgentRole', {
      description: `Stratus host agent "${props.exampleAgentName}" (tag ${AGENT_TAG_KEY})`,
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [this.policy],
    });
    Tags.of(this.exampleRole).add(AGENT_TAG_KEY, props.exampleAgentName);
    this.exampleInstanceProfile = new InstanceProfile(this, 'AgentInstanceProfile', {
      role: this.exampleRole,
    });
  }
}
