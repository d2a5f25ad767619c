/**
 * The Lambda functions, bundled from TypeScript with esbuild. Their rights are granted by the stack,
 * one function at a time, so that least privilege reads in one place.
 */
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Entry files, relative to the project root, and their exported handlers. */
export const FUNCTION_ENTRIES = {
  api: { entry: 'functions/api/lambda.ts', handler: 'handler' },
  dispatch: { entry: 'functions/dispatch/lambda.ts', handler: 'dispatch' },
  advance: { entry: 'functions/dispatch/lambda.ts', handler: 'advance' },
  finalize: { entry: 'functions/dispatch/lambda.ts', handler: 'finalize' },
  central: { entry: 'functions/central/lambda.ts', handler: 'handler' },
} as const;
export type FunctionKey = keyof typeof FUNCTION_ENTRIES;

export const FUNCTION_TIMEOUTS: Record<FunctionKey, Duration> = {
  api: Duration.seconds(29), // API Gateway gives up after 30 s
  dispatch: Duration.minutes(15), // expanding a graph of 10,000+ tasks and sending its first wave
  advance: Duration.minutes(1),
  finalize: Duration.minutes(1),
  central: Duration.minutes(15), // runs operations centrally: the Lambda maximum
};

const MEMORY_MB: Record<FunctionKey, number> = {
  api: 512,
  dispatch: 1024,
  advance: 512,
  finalize: 256,
  central: 1024,
};

// ESM bundles: CommonJS dependencies that call require() on Node built-ins need a real require.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __stratusCreateRequire } from 'node:module'; const require = __stratusCreateRequire(import.meta.url);";

/** esbuild options of every function: one ESM file per function, AWS SDK included. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // error classes are matched by name (the state machine retries `RetryableError`): keep names
  keepNames: true,
  banner: ESM_REQUIRE_BANNER,
  // bundle the AWS SDK too: the exact versions tested, not the runtime's
  bundleAwsSDK: true,
  externalModules: [],
} satisfies BundlingOptions;

export interface StratusFunctionsProps {
  /** absolute path of the project root (holds package-lock.json and the entry files) */
  projectRoot: string;
  /** environment shared by every function */
  environment: Record<string, string>;
  /** extra environment per function */
  extraEnvironment?: Partial<Record<FunctionKey, Record<string, string>>>;
}

export class StratusFunctions extends Construct {
  readonly api: NodejsFunction;
  readonly dispatch: NodejsFunction;
  readonly advance: NodejsFunction;
  readonly finalize: NodejsFunction;
  readonly central: NodejsFunction;

  constructor(scope: Construct, id: string, props: StratusFunctionsProps) {
    super(scope, id);
    const make = (key: FunctionKey, cid: string): NodejsFunction => {
      const { entry, handler } = FUNCTION_ENTRIES[key];
      return new NodejsFunction(this, cid, {
        entry: join(props.projectRoot, entry),
        handler,
        projectRoot: props.projectRoot,
        depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: MEMORY_MB[key],
        timeout: FUNCTION_TIMEOUTS[key],
        environment: {
          ...props.environment,
          ...props.extraEnvironment?.[key],
          NODE_OPTIONS: '--enable-source-maps',
        },
        logGroup: new LogGroup(this, `${cid}Logs`, { retention: RetentionDays.ONE_MONTH }),
        bundling: BUNDLING,
      });
    };
    this.api = make('api', 'Api');
    this.dispatch = make('dispatch', 'Dispatch');
    this.advance = make('advance', 'Advance');
    this.finalize = make('finalize', 'Finalize');
    this.central = make('central', 'Central');
  }
}
