/**
 * The one state machine of Stratus, as plain Amazon States Language (no CDK import), so that CDK deploys
 * it and the local stack runs the very same document in aws-local-stepfunctions.
 *
 * Two states, whatever the size of the graph:
 * - Dispatch invokes the dispatch Lambda with a task token and waits (`.waitForTaskToken`). The Lambda
 *   expands the workflow into the graph in DynamoDB, stores the token, sends the first tasks and
 *   returns. Much later the Advance Lambda closes the token once for the whole graph
 *   (SendTaskSuccess / SendTaskFailure). Transitions per execution are O(1), never one state per task.
 * - Finalize records the end (terminated | failed | cancelled), releases the deployment and starts the
 *   next queued execution. It runs on the success path and, through the Catch, on every failure.
 *
 * The function ARNs are placeholders (`${DispatchFunctionArn}`, `${FinalizeFunctionArn}`): CDK fills
 * them through `definitionSubstitutions`; the local stack overrides the Task states by name instead.
 */

export const DISPATCH_STATE = 'Dispatch';
export const FINALIZE_STATE = 'Finalize';
export const STATE_NAMES = [DISPATCH_STATE, FINALIZE_STATE] as const;
export type StateName = (typeof STATE_NAMES)[number];

/** Keys of `definitionSubstitutions`, as they appear in the definition between `${` and `}`. */
export const DISPATCH_FUNCTION_ARN = 'DispatchFunctionArn';
export const FINALIZE_FUNCTION_ARN = 'FinalizeFunctionArn';
export const DEFINITION_SUBSTITUTION_KEYS = [DISPATCH_FUNCTION_ARN, FINALIZE_FUNCTION_ARN] as const;
export type DefinitionSubstitutions = Record<(typeof DEFINITION_SUBSTITUTION_KEYS)[number], string>;

/**
 * Error name the dispatch and finalize handlers throw for a transient failure; the state retries it.
 * It matches `RetryableError.name` in core/errors.ts (the Lambda runtime reports `error.name` as the
 * error type, so bundles must keep class names). Never use it in SendTaskFailure for a failed graph:
 * Dispatch would run again.
 */
export const RETRYABLE_ERROR = 'RetryableError';

/** Errors of the Lambda service itself (throttling, service faults), worth retrying on every Task state. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * Longest a graph may run before Dispatch fails with States.Timeout and Finalize marks the execution
 * failed (a graph stuck forever would hold its deployment forever). 7 days: long enough for retries
 * with long delays, and below 2^31 ms, the longest timer Node (so the local interpreter) can set.
 */
export const GRAPH_TIMEOUT_SECONDS = 7 * 24 * 3600;

/** Finalize is one Lambda call: its state never times out before the Lambda's own 15-minute limit. */
export const FINALIZE_TIMEOUT_SECONDS = 900;

/** What StartExecution receives. `graph` and `error` are null so that Finalize's JSONPaths always resolve. */
export interface ExecutionInput {
  executionId: string;
  graph: null;
  error: null;
}

export function EXECUTION_INPUT(executionId: string): ExecutionInput {
  if (executionId === '') throw new Error('EXECUTION_INPUT: executionId must not be empty');
  return { executionId, graph: null, error: null };
}

/** Payload the Dispatch state sends to the dispatch Lambda. */
export interface DispatchPayload {
  executionId: string;
  taskToken: string;
}

/**
 * Payload the Finalize state sends to the finalize Lambda: `graph` is the output given to
 * SendTaskSuccess (null after a failure), `error` is `{ Error, Cause }` when Dispatch failed
 * (SendTaskFailure, a Lambda error, or States.Timeout), else null.
 */
export interface FinalizePayload {
  executionId: string;
  graph: Record<string, unknown> | null;
  error: { Error: string; Cause: string } | null;
}

function lambdaRetries(): object[] {
  return [
    {
      ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 60,
      JitterStrategy: 'FULL',
    },
    {
      ErrorEquals: [RETRYABLE_ERROR],
      IntervalSeconds: 5,
      MaxAttempts: 5,
      BackoffRate: 2,
      MaxDelaySeconds: 120,
      JitterStrategy: 'FULL',
    },
  ];
}

export function stateMachineDefinition(): object {
  return {
    Comment: 'Stratus execution: dispatch the whole task graph behind one callback, then finalize.',
    StartAt: DISPATCH_STATE,
    States: {
      [DISPATCH_STATE]: {
        Type: 'Task',
        Comment: 'Expands the graph and sends the first tasks; the graph completion closes the token.',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: `\${${DISPATCH_FUNCTION_ARN}}`,
          Payload: {
            'executionId.$': '$.executionId',
            'taskToken.$': '$$.Task.Token',
          },
        },
        TimeoutSeconds: GRAPH_TIMEOUT_SECONDS,
        ResultPath: '$.graph',
        Retry: lambdaRetries(),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: FINALIZE_STATE }],
        Next: FINALIZE_STATE,
      },
      [FINALIZE_STATE]: {
        Type: 'Task',
        Comment: 'Records the end of the execution, releases the deployment, starts the next queued one.',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: `\${${FINALIZE_FUNCTION_ARN}}`,
          Payload: {
            'executionId.$': '$.executionId',
            'graph.$': '$.graph',
            'error.$': '$.error',
          },
        },
        TimeoutSeconds: FINALIZE_TIMEOUT_SECONDS,
        // Finalize is idempotent and the only step that frees the deployment: it is retried on any
        // error (a crashed runtime too), so that a deployment is never left held by an ended execution
        Retry: [
          ...lambdaRetries(),
          {
            ErrorEquals: ['States.ALL'],
            IntervalSeconds: 10,
            MaxAttempts: 5,
            BackoffRate: 2,
            MaxDelaySeconds: 300,
          },
        ],
        ResultPath: null,
        End: true,
      },
    },
  };
}

/**
 * The definition as JSON text with the placeholders replaced (what Step Functions runs once CDK's
 * substitutions are applied). Throws if a placeholder is left, naming it.
 */
export function renderDefinition(substitutions: DefinitionSubstitutions): string {
  let text = JSON.stringify(stateMachineDefinition());
  for (const key of DEFINITION_SUBSTITUTION_KEYS) text = text.replaceAll(`\${${key}}`, substitutions[key]);
  const left = /\$\{([A-Za-z0-9_]+)\}/.exec(text);
  if (left) throw new Error(`renderDefinition: no value for placeholder \${${left[1]}}`);
  return text;
}
