/**
 * `npm run bench`: numbers to compare between changes (never asserted in tests).
 *   install N independent nodes on the local stack, N = 10, 100, 1000 (override: BENCH_SIZES=10,100)
 *   the engine alone: a dry run of install over 1,000 and 5,000 instances (BENCH_EXPAND=...)
 *   parse + plan a deployment of 10,000 node instances
 */
import { cpus } from 'node:os';
import { benchExpand } from './expand.ts';
import { benchInstall } from './install.ts';
import { benchPlan } from './plan.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sizes = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
console.log(`Stratus bench — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})\n`);

console.log(
  'Install of N independent nodes, one no-op script each (local stack, central executor, 8 at once)',
);
console.log('     N  makespan   tasks/s  DynamoDB req/task  SQS req/task  SFN transitions/execution');
for (const r of await benchInstall(sizes)) {
  console.log(
    `${String(r.n).padStart(6)}  ${`${(r.makespanMs / 1000).toFixed(2)} s`.padStart(8)}  ${(
      r.tasks /
      (r.makespanMs / 1000)
    )
      .toFixed(1)
      .padStart(
        8,
      )}  ${r.dynamodbPerTask.toFixed(1).padStart(17)}  ${r.sqsPerTask.toFixed(1).padStart(12)}  ${String(
      r.transitions,
    ).padStart(25)}`,
  );
}

console.log('\nEngine alone: dry-run install (every task released and finished inline, nothing sent)');
const expandSizes = (process.env.BENCH_EXPAND ?? '1000,5000').split(',').map(Number);
for (const line of await benchExpand(expandSizes)) console.log(line);

console.log('\nParse and plan');
for (const line of await benchPlan()) console.log(line);
