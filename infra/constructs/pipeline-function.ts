import { type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER } from '../bundling.ts';

/** DynamoDB actions our stores use; a function is granted only the ones it calls. */
export type TableAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

export interface PipelineFunctionProps {
  /** Physical name, e.g. `digest-prod-send` (the CLI derives the digest function's name from it). */
  functionName: string;
  /** Absolute path of the handler's entry file (`export const handler`). */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  logRetention: RetentionDays;
  /** Log group removal: destroy with the stack unless data is retained. */
  removalPolicy: RemovalPolicy;
  externalModules: string[];
  commandHooks?: ICommandHooks;
  environment?: Record<string, string>;
}

/**
 * One Lambda function with the pipeline's defaults: newest Node runtime on arm64, minified ESM
 * bundle with source maps, active tracing, its own log group with a retention period, and a role
 * that starts empty (no managed policies) so every permission is one we granted on purpose.
 *
 * The `bind*` and `allow*` helpers grant access and set the matching environment variable in one
 * call, so a function cannot get a resource name without the rights to use it, or the reverse.
 */
export class PipelineFunction extends NodejsFunction {
  readonly logGroupRef: LogGroup;
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    // What AWSLambdaBasicExecutionRole would give, limited to this function's own log group.
    logGroup.grantWrite(role);

    super(scope, id, {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      role,
      // Stack traces point at the TypeScript sources (the bundle ships its .map file).
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        platform: 'node',
        minify: true,
        sourceMap: true,
        // Prefer packages' ESM builds (smaller, tree-shakeable), fall back to CommonJS.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: props.externalModules,
        ...(props.commandHooks ? { commandHooks: props.commandHooks } : {}),
      },
    });
    this.logGroupRef = logGroup;
    this.executionRole = role;
  }

  /**
   * Grants exactly `actions` on the table (and on the named GSIs, for Query) and puts its name in
   * `envVar`. Never `dynamodb:*`, never `Resource: "*"`.
   */
  bindTable(
    table: ITable,
    envVar: string,
    actions: TableAction[],
    options: { indexes?: string[] } = {},
  ): this {
    if (actions.length === 0) throw new Error(`bindTable(${envVar}): no actions given`);
    this.addEnvironment(envVar, table.tableName);
    const resources = [table.tableArn];
    for (const index of options.indexes ?? []) resources.push(`${table.tableArn}/index/${index}`);
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...new Set(actions)].sort().map((a) => `dynamodb:${a}`),
        resources,
      }),
    );
    return this;
  }

  /**
   * Object access under key prefixes of the bucket, and its name in `envVar`. `s3:ListBucket` is
   * needed twice over: to list a prefix, and for S3 to answer 404 rather than 403 on a missing key
   * (the blob store treats NoSuchKey as "not there yet").
   */
  bindBucket(bucket: IBucket, envVar: string, access: { read?: string[]; write?: string[] }): this {
    this.addEnvironment(envVar, bucket.bucketName);
    const objects = (prefixes: string[]) =>
      prefixes.map((p) => bucket.arnForObjects(`${p.replace(/\/?$/, '/')}*`));
    if (access.read?.length) {
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(access.read) }),
      );
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    }
    if (access.write?.length) {
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(access.write) }),
      );
    }
    return this;
  }

  /** May enqueue to the queue; its URL in `envVar`. */
  bindQueueSender(queue: IQueue, envVar: string): this {
    this.addEnvironment(envVar, queue.queueUrl);
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    return this;
  }

  /**
   * `ses:SendRawEmail` from the identity, through the configuration set. SES authorizes a send
   * against both ARNs, which is why `EmailIdentity.grantSendEmail` (identity only) is not enough.
   */
  allowSendEmail(identityArn: string, configurationSetName: string, envVar: string): this {
    this.addEnvironment(envVar, configurationSetName);
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSetName,
    });
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [identityArn, configurationSetArn],
      }),
    );
    return this;
  }

  /**
   * Reads one SSM parameter (a SecureString encrypted with the account's `aws/ssm` key, whose key
   * policy already lets the account decrypt through SSM, so no KMS grant is needed).
   */
  bindParameter(parameterName: string, envVar: string): this {
    this.addEnvironment(envVar, parameterName);
    const parameterArn = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: parameterName.replace(/^\//, ''),
    });
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] }),
    );
    return this;
  }

  /** Sets several plain (non-secret) settings at once. */
  setEnvironment(values: Record<string, string>): this {
    for (const [key, value] of Object.entries(values)) this.addEnvironment(key, value);
    return this;
  }
}
