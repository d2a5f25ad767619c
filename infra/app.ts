/** CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). One environment-agnostic stack; no lookups. */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { StratusStack } from './stratus-stack.ts';

const app = new App();
new StratusStack(app, 'Stratus', {
  projectRoot: fileURLToPath(new URL('..', import.meta.url)),
  description: 'Stratus: Cloudify-style workflow executions, serverless',
});
app.synth();
