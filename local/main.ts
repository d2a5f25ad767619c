/**
 * `npm start`: the embedded local stack. No AWS account, no Docker.
 *   --port N        (env PORT, default 8787)
 *   --data-dir DIR  (default .stratus/; state survives a restart)
 *   --in-memory     (nothing written to disk)
 * The API token comes from STRATUS_TOKEN, else a new one is generated and printed.
 */
import { parseArgs } from 'node:util';
import { startLocalStack } from './stack.ts';

// Node 20 is supported here; the SDK's notice about its future Node 22 floor is for the README, not every start
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function fail(message: string): never {
  console.error(`stratus: ${message}\nUsage: npm start -- [--port N] [--data-dir DIR | --in-memory]`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  console.log('Usage: npm start -- [--port N] [--data-dir DIR | --in-memory]');
  process.exit(0);
}
if (args['in-memory'] && args['data-dir']) fail('--in-memory and --data-dir exclude each other');
const portText = args.port || process.env.PORT || '8787'; // an empty value counts as unset
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a number from 0 to 65535, got '${portText}'`);

const stack = await startLocalStack({
  port,
  dataDir: args['in-memory'] ? null : (args['data-dir'] ?? '.stratus'),
  token: process.env.STRATUS_TOKEN || undefined,
}).catch((err: Error & { code?: string }) => {
  if (err.code === 'EADDRINUSE') fail(`port ${port} is in use: pick another with --port or PORT`);
  fail(`could not start: ${err.message}`);
});

console.log(`Stratus API: ${stack.apiUrl}  token: ${stack.token}`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) process.exit(1); // a second Ctrl-C does not wait
  stopping = true;
  console.log(`\nstratus: ${signal}, stopping…`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
