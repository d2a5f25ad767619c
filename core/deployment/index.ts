export { agentNameOf } from './agents.ts';
export {
  INPUT_PARAMETERS_CODE,
  MISSING_INPUT_CODE,
  UNKNOWN_INPUT_CODE,
  validateDeploymentInputs,
} from './inputs.ts';
export { containerOf, planInstances } from './instances.ts';
export { type DeploymentPlan, type PlanDeploymentArgs, planDeployment } from './plan.ts';
export { type InstanceCounts, resolveInstanceCounts } from './scaling.ts';
