/** Every command of the `stratus` CLI, in the order the usage lists them. */
import { blueprintCommands } from './blueprints.ts';
import type { CommandSpec } from './command.ts';
import { deploymentCommands } from './deployments.ts';
import { eventCommands } from './events.ts';
import { executionCommands } from './executions.ts';
import { nodeInstanceCommands } from './node-instances.ts';
import { operationCommands } from './operations.ts';

export const COMMANDS: readonly CommandSpec[] = [
  ...blueprintCommands,
  ...deploymentCommands,
  ...executionCommands,
  ...eventCommands,
  ...nodeInstanceCommands,
  ...operationCommands,
];
