/**
 * `stratus-agent`: runs on a managed host, polls the host's own queue and runs the operations.
 * Run with `npx tsx agent/main.ts --help`.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError, parseAgentConfig, USAGE } from './config.ts';
import { QueueWorker } from './poller.ts';

function line(text: string): void {
  console.log(`${new Date().toISOString()} ${text}`);
}

let config: ReturnType<typeof parseAgentConfig>;
try {
  config = parseAgentConfig(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`stratus-agent: ${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (config === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const sqs = new SQSClient({
  ...(config.region ? { region: config.region } : {}),
  ...(config.endpoint ? { endpoint: config.endpoint } : {}),
});
const worker = new QueueWorker({
  sqs,
  queueUrl: config.queueUrl,
  resultsQueueUrl: config.resultsQueueUrl,
  executor: config.name,
  concurrency: config.concurrency,
  visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
  workRoot: config.workRoot,
  log: line,
});

line(
  `stratus-agent ${config.name}: polling ${config.queueUrl} (concurrency ${config.concurrency}), ` +
    `reporting to ${config.resultsQueueUrl}`,
);
worker.start();

let stopping = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (!stopping) {
    stopping = true;
    line(`${signal}: stopping after running operations finish (again to abandon them)`);
    void worker.stop().then(() => {
      line('stopped');
      sqs.destroy();
      process.exit(0);
    });
    return;
  }
  line(`${signal}: abandoning running operations; their messages will be redelivered`);
  void worker.stop({ abandon: true });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
