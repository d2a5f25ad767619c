/** Configuration of the API Lambda, read once at cold start. */

export interface ApiEnv {
  tableName: string;
  bucketName: string;
  stateMachineArn: string;
}

/** Reads the Lambda's configuration; throws naming every missing or wrong variable. */
export function readApiEnv(env: NodeJS.ProcessEnv): ApiEnv {
  const problems: string[] = [];
  const need = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const cfg = {
    tableName: need('TABLE_NAME'),
    bucketName: need('BUCKET_NAME'),
    stateMachineArn: need('STATE_MACHINE_ARN'),
  };
  // Only IAM here: the token mode is for the local stack; on AWS API Gateway authorizes every request.
  if (env.AUTH_MODE !== 'iam')
    problems.push(`AUTH_MODE must be \`iam\` for the Lambda API, got \`${env.AUTH_MODE ?? ''}\``);
  if (problems.length > 0) throw new Error(`API Lambda configuration: ${problems.join('; ')}`);
  return cfg;
}
