export * from './blueprints.ts';
export * from './deployments.ts';
export * from './deps.ts';
export * from './events.ts';
export * from './executions.ts';
export * from './ids.ts';
export * from './node-instances.ts';
export * from './workflow-parameters.ts';
