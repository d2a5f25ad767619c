/**
 * Names that other parts of Stratus find by convention (queue names the dispatcher builds at run time,
 * the state machine ARN the functions need before the machine exists) and the stack's context keys.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const PREFIX_CONTEXT_KEY = 'stratus:prefix';
export const DEFAULT_PREFIX = 'stratus';
/** Name of the example agent whose role the stack creates (context `stratus:exampleAgent`). */
export const EXAMPLE_AGENT_CONTEXT_KEY = 'stratus:exampleAgent';
export const DEFAULT_EXAMPLE_AGENT = 'example';

/** Tag on an IAM role or user that names the agent it is; the agent policy reads it (ABAC). */
export const AGENT_TAG_KEY = 'stratus-agent';

// Queue names allow [A-Za-z0-9_-] up to 80 characters; keep room for `-agent-<name>`.
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export function checkPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `context ${PREFIX_CONTEXT_KEY}: "${prefix}" is not a valid prefix (allowed: 1-32 characters of A-Z a-z 0-9 _ -, starting with a letter or digit)`,
    );
  }
  return prefix;
}

export function checkAgentName(name: string, where: string): string {
  if (!AGENT_NAME_PATTERN.test(name)) {
    throw new Error(
      `${where}: "${name}" is not a valid agent name (allowed: 1-40 characters of A-Z a-z 0-9 _ -, starting with a letter or digit)`,
    );
  }
  return name;
}

export interface StratusNames {
  prefix: string;
  centralQueue: string;
  centralDlq: string;
  resultsQueue: string;
  resultsDlq: string;
  agentsDlq: string;
  /** name pattern of the per-agent queues the dispatcher creates: `<prefix>-agent-<name>` */
  agentQueuePrefix: string;
  stateMachine: string;
}

export function stratusNames(prefix: string): StratusNames {
  checkPrefix(prefix);
  return {
    prefix,
    centralQueue: `${prefix}-central`,
    centralDlq: `${prefix}-central-dlq`,
    resultsQueue: `${prefix}-results`,
    resultsDlq: `${prefix}-results-dlq`,
    // `agents-dlq`, not `agent-dlq`: it must not match the `<prefix>-agent-*` pattern agents' rights use
    agentsDlq: `${prefix}-agents-dlq`,
    agentQueuePrefix: `${prefix}-agent-`,
    stateMachine: `${prefix}-execution`,
  };
}

/** ARN of a queue of this stack's account and region, by name (the name may hold `*` or a policy variable). */
export function queueArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sqs', resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME });
}

/**
 * ARN of the state machine, built from its fixed name: the functions that start executions need it,
 * and referencing the machine itself would make a cycle (the machine invokes those functions).
 */
export function stateMachineArn(scope: IConstruct, names: StratusNames): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: names.stateMachine,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARN pattern of every execution of the state machine. */
export function executionArns(scope: IConstruct, names: StratusNames): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${names.stateMachine}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
