import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAGE as CLI_DEFAULT_STAGE } from '../../functions/cli/remote.ts';
import { buildApp } from '../../infra/build-app.ts';
import { DEFAULT_STAGE, readStackConfig, StackConfigError } from '../../infra/config.ts';
import type { DigestStack } from '../../infra/digest-stack.ts';

/**
 * The stack, synthesized for real once for this file (the four handlers bundled with esbuild),
 * with cdk-nag's AwsSolutions pack registered as `cdk synth` has it.
 */

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface NagReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

const FAIL_SYNTH = '@aws-cdk/core:failSynthOnValidationErrors';
const outdirs: string[] = [];
const tempOutdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-cdk-'));
  outdirs.push(dir);
  return dir;
};

/** Synthesizes without throwing on cdk-nag errors, and returns the validation report instead. */
function synthWithReport(app: App): NagReport {
  const assembly = app.synth();
  const file = join(assembly.directory, 'validation-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NagReport) : { pluginReports: [] };
}

const nagErrors = (report: NagReport) =>
  report.pluginReports
    .filter((r) => r.pluginName === 'AwsSolutions')
    .flatMap((r) => r.violations.filter((v) => v.severity === 'error'))
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`));

/** Every IAM statement of every policy in the template (inline, managed, role inline policies). */
function policyStatements(template: Template): { policy: string; statement: Statement }[] {
  const out: { policy: string; statement: Statement }[] = [];
  const collect = (policy: string, document: unknown) => {
    const statements = (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];
    for (const statement of statements) out.push({ policy, statement });
  };
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    collect(id, (resource.Properties as Json).PolicyDocument);
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) {
    collect(id, (resource.Properties as Json).PolicyDocument);
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of ((resource.Properties as Json).Policies as
      | { PolicyDocument: unknown }[]
      | undefined) ?? []) {
      collect(id, inline.PolicyDocument);
    }
  }
  return out;
}

/** Why a statement is too broad for SES/DynamoDB, or undefined when it is fine. */
function overBroad(statement: Statement): string | undefined {
  if (statement.Effect !== 'Allow') return undefined;
  const actions = ([] as string[]).concat(statement.Action).map((a) => a.toLowerCase());
  const resources = ([] as unknown[]).concat(statement.Resource);
  const scoped = actions.filter((a) => a.startsWith('ses:') || a.startsWith('dynamodb:'));
  const wildcardAction = actions.find((a) => a === '*' || a === 'ses:*' || a === 'dynamodb:*');
  if (wildcardAction) return `grants ${wildcardAction}`;
  if (scoped.length > 0 && resources.some((r) => r === '*'))
    return `grants ${scoped.join(', ')} on Resource "*"`;
  return undefined;
}

let app: App;
let stack: DigestStack;
let template: Template;
let report: NagReport;

beforeAll(() => {
  ({ app, stack } = buildApp({
    outdir: tempOutdir(),
    context: { [FAIL_SYNTH]: false },
  }));
  report = synthWithReport(app);
  template = Template.fromStack(stack);
}, 180_000);

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('tables', () => {
  it('subscribers: email key, byStatus GSI (status, email) keys only, on-demand with PITR', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'email', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('deliveries expire through TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'issueId', KeyType: 'HASH' },
        { AttributeName: 'email', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('rate limits expire through TTL; issues keyed by issueId', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'issueId', KeyType: 'HASH' }],
    });
  });

  it('every table is on-demand with point-in-time recovery, retained by default', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(5); // subscribers, deliveries, issues, rate limits, sources
    for (const table of Object.values(tables)) {
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('functions', () => {
  it('four Node 24 arm64 functions with active tracing, named digest-<stage>-<name>', () => {
    for (const key of ['digest', 'send', 'api', 'feedback']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `digest-${DEFAULT_STAGE}-${key}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue(), LogFormat: 'JSON' },
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
  });

  it('each function logs to its own log group with a retention period', () => {
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/lambda/digest-') },
    });
    expect(
      Object.values(groups)
        .map((g) => g.Properties.LogGroupName)
        .sort(),
    ).toEqual(
      ['api', 'digest', 'feedback', 'fetch', 'send'].map((k) => `/aws/lambda/digest-${DEFAULT_STAGE}-${k}`),
    );
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('the digest function reads its templates from the folder copied next to its bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `digest-${DEFAULT_STAGE}-digest`,
      Environment: {
        Variables: Match.objectLike({
          DIGEST_TEMPLATES_DIR: '/var/task/templates',
          DIGEST_SEND_QUEUE_URL: Match.anyValue(),
          DIGEST_BUCKET: Match.anyValue(),
          DIGEST_TOKEN_SECRETS_PARAMETER: `/digest/${DEFAULT_STAGE}/token-secrets`,
          DIGEST_SES_CONFIGURATION_SET: `digest-${DEFAULT_STAGE}`,
        }),
      },
    });
    const staged = stack.functions.digest.node.findChild('Code').node.findChild('Stage') as unknown as {
      absoluteStagedPath: string;
    };
    expect(existsSync(join(staged.absoluteStagedPath, 'index.mjs'))).toBe(true);
    expect(existsSync(join(staged.absoluteStagedPath, 'templates', 'digest.mjml'))).toBe(true);
    expect(existsSync(join(staged.absoluteStagedPath, 'templates', 'digest.txt.hbs'))).toBe(true);
  });
});

describe('schedule', () => {
  it('runs the digest function weekly (Monday 08:00) in the Europe/London time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.functions.digest.node.defaultChild as never), 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
  });
});

describe('send queue', () => {
  it('redrives to a DLQ after 5 receives', () => {
    const dlq = new Capture();
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(dlq.asString()).toBe(stack.getLogicalId(stack.deadLetterQueue.node.defaultChild as never));
  });

  it('has a visibility timeout of at least 6× the send function timeout', () => {
    const visibility = new Capture();
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: visibility,
      RedrivePolicy: Match.anyValue(),
    });
    const timeout = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `digest-${DEFAULT_STAGE}-send`,
      Timeout: timeout,
    });
    expect(visibility.asNumber()).toBeGreaterThanOrEqual(6 * timeout.asNumber());
  });

  it('feeds the send function with bounded concurrency and partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: stack.getLogicalId(stack.functions.send.node.defaultChild as never) },
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('keeps concurrency × per-function send rate within the SES rate', () => {
    const rate = new Capture();
    const share = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `digest-${DEFAULT_STAGE}-send`,
      Environment: {
        Variables: Match.objectLike({ DIGEST_SEND_RATE: rate, DIGEST_SEND_FUNCTION_CONCURRENCY: share }),
      },
    });
    const concurrency = new Capture();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: concurrency },
    });
    // The send handler limits itself to DIGEST_SEND_RATE / DIGEST_SEND_FUNCTION_CONCURRENCY.
    const perFunction = Number(rate.asString()) / Number(share.asString());
    const sesRate = readStackConfig({ tryGetContext: () => undefined }).sendRate;
    expect(Number(rate.asString())).toBe(sesRate);
    expect(concurrency.asNumber() * perFunction).toBeLessThanOrEqual(sesRate);
  });

  it('both queues enforce TLS and are encrypted', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
  });
});

describe('HTTP API', () => {
  it('throttles the $default stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('routes every request to the api function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: {
        'Fn::GetAtt': [stack.getLogicalId(stack.functions.api.node.defaultChild as never), 'Arn'],
      },
    });
  });
});

describe('SES', () => {
  it('verifies the domain with Easy DKIM (2048-bit) and the configuration set as default', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.anyValue() } },
    });
  });

  it('sends bounce and complaint events to an SNS topic that invokes the feedback function', () => {
    const topic = new Capture();
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: topic } },
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topic.asString() },
      Endpoint: {
        'Fn::GetAtt': [stack.getLogicalId(stack.functions.feedback.node.defaultChild as never), 'Arn'],
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic.asString() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('requires TLS and suppresses bounced/complained addresses in the configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: `digest-${DEFAULT_STAGE}`,
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });
});

describe('bucket', () => {
  it('blocks public access, enforces TLS, encrypts, logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('deploys seeds/ into articles/ without pruning other articles', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'articles/',
      Prune: false,
    });
  });
});

describe('alarms', () => {
  it('alarms on the DLQ depth', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::GetAtt': [stack.getLogicalId(stack.deadLetterQueue.node.defaultChild as never), 'QueueName'],
          },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
  });

  it('alarm notifications reach an encrypted topic CloudWatch may publish to', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    const topics = template.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics)).toHaveLength(2);
    for (const topic of Object.values(topics)) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('alarms on errors of each function', () => {
    for (const fn of Object.values(stack.functions)) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [
          { Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.node.defaultChild as never) } },
        ],
        Threshold: 1,
      });
    }
  });
});

describe('outputs', () => {
  it('names the functions, the API URL, the queue URL and the bucket', () => {
    const outputs = template.findOutputs('*');
    for (const name of [
      'DigestFunctionName',
      'SendFunctionName',
      'ApiFunctionName',
      'FeedbackFunctionName',
      'ApiUrl',
      'SendQueueUrl',
      'BucketName',
    ]) {
      expect(outputs, name).toHaveProperty(name);
    }
    expect(CLI_DEFAULT_STAGE).toBe(DEFAULT_STAGE);
  });
});

describe('least privilege', () => {
  it('no statement grants ses:*, dynamodb:* or SES/DynamoDB actions on Resource "*"', () => {
    const statements = policyStatements(template);
    expect(statements.length).toBeGreaterThan(20);
    const problems = statements
      .map(({ policy, statement }) => ({ policy, why: overBroad(statement) }))
      .filter((p) => p.why)
      .map((p) => `${p.policy}: ${p.why}`);
    expect(problems).toEqual([]);
  });

  it('the checker itself flags over-broad statements', () => {
    expect(overBroad({ Effect: 'Allow', Action: 'ses:*', Resource: 'arn:aws:ses:::identity/x' })).toMatch(
      /ses:\*/,
    );
    expect(overBroad({ Effect: 'Allow', Action: ['dynamodb:*'], Resource: ['arn'] })).toMatch(/dynamodb:\*/);
    expect(overBroad({ Effect: 'Allow', Action: ['ses:SendRawEmail'], Resource: '*' })).toMatch(
      /Resource "\*"/,
    );
    expect(overBroad({ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: ['arn', '*'] })).toMatch(
      /Resource/,
    );
    expect(overBroad({ Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: '*' })).toBeUndefined();
  });

  it('ses:SendRawEmail is granted on the identity and the configuration set, nothing more', () => {
    const ses = policyStatements(template).filter(({ statement }) =>
      ([] as string[]).concat(statement.Action).some((a) => a.startsWith('ses:')),
    );
    expect(ses.map((s) => s.policy).sort()).toEqual(
      ['Api', 'Digest', 'Send'].map((k) => expect.stringMatching(new RegExp(`^${k}FunctionRole`))),
    );
    for (const { statement } of ses) {
      expect(statement.Action).toBe('ses:SendRawEmail');
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(':identity/');
      expect(resources).toContain(`:configuration-set/digest-${DEFAULT_STAGE}`);
    }
  });

  it('the feedback function changes only subscribers, and reads what proves we sent the message', () => {
    const feedback = policyStatements(template).filter(({ policy }) =>
      policy.startsWith('FeedbackFunctionRole'),
    );
    const actions = feedback.flatMap(({ statement }) => ([] as string[]).concat(statement.Action));
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
  });

  it('function roles carry no AWS managed policies', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        },
      },
    });
    const ours = Object.entries(roles).filter(([id]) =>
      /^(Digest|Send|Api|Feedback|Fetch)FunctionRole/.test(id),
    );
    expect(ours).toHaveLength(5);
    for (const [, role] of ours) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('fetch function (sources)', () => {
  const fetchId = () => stack.getLogicalId(stack.functions.fetch.node.defaultChild as never);
  const tableId = () => stack.getLogicalId(stack.node.findChild('SourcesTable').node.defaultChild as never);
  const bucketId = () => stack.getLogicalId(stack.node.findChild('DigestBucket').node.defaultChild as never);

  it('a sources table keyed (pk, sk), on demand, with PITR and TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is its own Node 24 function, told the table, the bucket, the public URL and the limits', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `digest-${DEFAULT_STAGE}-fetch`,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          SOURCES_TABLE: { Ref: tableId() },
          DIGEST_BUCKET: { Ref: bucketId() },
          DIGEST_PUBLIC_URL: Match.anyValue(),
          DIGEST_BRAND_NAME: 'The Weekly Digest',
          DIGEST_BACKLOG_DAYS: '7',
          DIGEST_ITEMS_PER_SOURCE: '5',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `digest-${DEFAULT_STAGE}-digest`,
      Environment: { Variables: Match.objectLike({ DIGEST_ITEMS_PER_ISSUE: '12' }) },
    });
  });

  it('runs hourly on a schedule of its own, through a role that may invoke only it', () => {
    const role = new Capture();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fetchId(), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      }),
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: role.asString() }] },
    });
    const invokes = Object.values(policies)
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .map((statement) => ({ statement }));
    expect(invokes.flatMap(({ statement }) => ([] as string[]).concat(statement.Action))).toEqual([
      'lambda:InvokeFunction',
    ]);
    expect(JSON.stringify(invokes.map((i) => i.statement.Resource))).toContain(fetchId());
    expect(JSON.stringify(invokes.map((i) => i.statement.Resource))).not.toContain(
      stack.getLogicalId(stack.functions.digest.node.defaultChild as never),
    );
    // The digest schedule is as it was.
    template.resourcePropertiesCountIs(
      'AWS::Scheduler::Schedule',
      { ScheduleExpression: 'cron(0 8 ? * MON *)' },
      1,
    );
  });

  it('the fetch schedule is configurable through CDK context', () => {
    // No bundling this time (CDK's own switch): only the schedule is looked at.
    const { stack: hourly } = buildApp({
      outdir: tempOutdir(),
      context: { [FAIL_SYNTH]: false, 'aws:cdk:bundling-stacks': [], fetchSchedule: 'rate(30 minutes)' },
    });
    Template.fromStack(hourly).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
    });
    expect(() =>
      readStackConfig({
        tryGetContext: (k: string) => (k === 'fetchSchedule' ? 'hourly' : undefined),
      } as never),
    ).toThrow(/fetchSchedule: must be a Scheduler expression/);
  });

  it('is granted exactly what the fetch run does: the sources table, and articles/ in the bucket', () => {
    const grants = policyStatements(template)
      .filter(({ policy }) => policy.startsWith('FetchFunctionRole'))
      .map(({ statement }) => statement)
      .filter(
        (st) =>
          !([] as string[]).concat(st.Action).some((a) => a.startsWith('logs:') || a.startsWith('xray:')),
      );
    const dynamo = grants.filter((st) =>
      ([] as string[]).concat(st.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toHaveLength(1);
    expect(([] as string[]).concat(dynamo[0]?.Action ?? []).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain(tableId());
    const s3 = grants.filter((st) => ([] as string[]).concat(st.Action).some((a) => a.startsWith('s3:')));
    const objects = s3.filter((st) => st.Action !== 's3:ListBucket');
    expect(objects.map((st) => st.Action).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    for (const st of objects) expect(JSON.stringify(st.Resource)).toMatch(/\/articles\/\*/);
    expect(JSON.stringify(s3)).not.toMatch(/issues\//);
    // Nothing else: no SES, no queue, no other table, no token secret.
    expect(grants.length).toBe(dynamo.length + s3.length);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors', () => {
    expect(nagErrors(report)).toEqual([]);
  });

  it('every acknowledgement carries a reason', () => {
    const acknowledged: { at: string; id: string; reason: unknown }[] = [];
    const walk = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledged.push({ at: c.node.path, id, reason });
        }
      }
      for (const child of c.node.children) walk(child);
    };
    walk(app);
    expect(acknowledged.length).toBeGreaterThan(5);
    for (const ack of acknowledged) {
      expect(typeof ack.reason === 'string' && ack.reason.length >= 30, `${ack.id} at ${ack.at}`).toBe(true);
    }
  });

  it('catches a finding nobody acknowledged (and the throwaway-data variant is otherwise clean)', () => {
    const variant = buildApp({
      outdir: tempOutdir(),
      // No bundling: this app only checks rules, and retainData=false adds the auto-delete handler.
      context: { [FAIL_SYNTH]: false, 'aws:cdk:bundling-stacks': [], retainData: 'false', stage: 'nagcheck' },
    });
    new Queue(variant.stack, 'UnprotectedQueue');
    const errors = nagErrors(synthWithReport(variant.app));
    expect(errors.sort()).toEqual([
      'AwsSolutions-SQS3 at digest-nagcheck/UnprotectedQueue/Resource',
      'AwsSolutions-SQS4 at digest-nagcheck/UnprotectedQueue/Resource',
    ]);
  });
});

describe('context', () => {
  const context = (values: Record<string, string>) => ({ tryGetContext: (key: string) => values[key] });

  it('has defaults for every key, so synth needs no flags', () => {
    const config = readStackConfig(context({}));
    expect(config).toMatchObject({
      stage: 'dev',
      domain: 'example.com',
      fromAddress: 'digest@example.com',
      scheduleExpression: 'cron(0 8 ? * MON *)',
      scheduleTimeZone: 'Europe/London',
      sendRate: 14,
      sendConcurrency: 2,
      retainData: true,
    });
  });

  it('parses -c strings and names every bad key at once', () => {
    expect(readStackConfig(context({ sendRate: '50', retainData: 'false' }))).toMatchObject({
      sendRate: 50,
      retainData: false,
    });
    let error: unknown;
    try {
      readStackConfig(
        context({ sendConcurrency: '1', domain: 'not a domain', stage: 'Prod', schedule: 'weekly' }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    const problems = (error as StackConfigError).problems.join('\n');
    for (const key of ['sendConcurrency', 'domain', 'stage', 'schedule'])
      expect(problems).toMatch(new RegExp(`^${key}: `, 'm'));
  });
});
