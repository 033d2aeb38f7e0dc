import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { entryFile, externalsFor, type FunctionKey } from './bundling.ts';
import { functionName, type StackConfig } from './config.ts';
import { PipelineFunction } from './constructs/pipeline-function.ts';

/** Repository root: infra/ names runtime code only by entry path (nothing is imported from functions/). */
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the digest function finds the templates copied next to its bundle. */
export const LAMBDA_TEMPLATES_DIR = '/var/task/templates';

/** Key prefixes in the bucket (mirrors the runtime: articles in, compiled issues and archive out). */
const ARTICLES = 'articles/';
const ISSUES = 'issues/';

export interface DigestStackProps extends StackProps {
  config: StackConfig;
  /** Folder of the four handler entry files; defaults to functions/handlers in this repository. */
  handlersDir?: string;
}

/**
 * The whole pipeline on AWS: tables, the four functions, the schedule, the send queue and its
 * DLQ, the HTTP API, SES identity + configuration set with bounce/complaint feedback, the bucket
 * for articles and the archive, and alarms. Each function gets only what its code calls.
 */
export class DigestStack extends Stack {
  readonly functions: Record<FunctionKey, PipelineFunction>;
  readonly sendQueue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: DigestStackProps) {
    super(scope, id, {
      description: `Newsletter digest pipeline (${props.config.stage})`,
      ...props,
    });
    const { config } = props;
    const handlersDir = props.handlersDir ?? join(REPO_ROOT, 'functions', 'handlers');
    const dataRemoval = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = retentionDays(config.logRetentionDays);

    // ── Tables (keys mirror functions/adapters/tables.ts) ────────────────────────────────────
    const tableDefaults = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.retainData,
      removalPolicy: dataRemoval,
    } as const;
    const subscribers = new Table(this, 'SubscribersTable', {
      ...tableDefaults,
      partitionKey: { name: 'email', type: AttributeType.STRING },
    });
    subscribers.addGlobalSecondaryIndex({
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'email', type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    const deliveries = new Table(this, 'DeliveriesTable', {
      ...tableDefaults,
      partitionKey: { name: 'issueId', type: AttributeType.STRING },
      sortKey: { name: 'email', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    const issues = new Table(this, 'IssuesTable', {
      ...tableDefaults,
      partitionKey: { name: 'issueId', type: AttributeType.STRING },
    });
    const rateLimits = new Table(this, 'RateLimitsTable', {
      ...tableDefaults,
      partitionKey: { name: 'key', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    // Sources, what became of their items, and story fingerprints (see adapters/dynamo/source-store.ts).
    const sources = new Table(this, 'SourcesTable', {
      ...tableDefaults,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });

    // ── Bucket: articles (deployed from seeds/) and the issue archive ────────────────────────
    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: dataRemoval,
      autoDeleteObjects: !config.retainData,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket itself; logging it into itself would loop.',
    });
    const bucket = new Bucket(this, 'DigestBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'digest-bucket/',
      removalPolicy: dataRemoval,
      autoDeleteObjects: !config.retainData,
    });
    new BucketDeployment(this, 'SeedArticles', {
      sources: [Source.asset(join(REPO_ROOT, 'seeds'))],
      destinationBucket: bucket,
      destinationKeyPrefix: ARTICLES,
      // Articles added to the bucket by other means are kept; seeds only add and update.
      prune: false,
      memoryLimit: 256,
    });

    // ── SES: domain identity with Easy DKIM, configuration set → SNS → feedback ──────────────
    // SES and CloudWatch publish to the topics below; the AWS-managed SNS key cannot grant them
    // that, so the topics use this customer-managed key. Who may publish to which topic is scoped
    // by each topic's own policy (source account and ARN).
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the digest-${config.stage} SNS topics (SES events, alarms)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('ses.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    const sesEvents = new Topic(this, 'SesEventsTopic', {
      displayName: `digest-${config.stage} SES bounces and complaints`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    const configurationSetName = `digest-${config.stage}`;
    const configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(sesEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    const zone = config.hostedZoneId
      ? HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: config.hostedZoneId,
          zoneName: config.domain,
        })
      : undefined;
    const identity = new EmailIdentity(this, 'EmailIdentity', {
      identity: zone ? Identity.publicHostedZone(zone) : Identity.domain(config.domain),
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      dkimSigning: true,
      configurationSet,
    });

    // ── Queue: one message per batch of recipients, consumed by the send function ────────────
    const sendTimeout = Duration.seconds(config.sendTimeoutSeconds);
    this.deadLetterQueue = new Queue(this, 'SendDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.sendQueue = new Queue(this, 'SendQueue', {
      // AWS's guidance for Lambda consumers: at least six times the function timeout, so a batch
      // being retried by the poller is not handed to a second function meanwhile.
      visibilityTimeout: Duration.seconds(config.sendTimeoutSeconds * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    // ── Functions ─────────────────────────────────────────────────────────────────────────────
    const entry = (key: FunctionKey) =>
      join(handlersDir, entryFile(key).replace(/^functions\/handlers\//, ''));
    const common = (key: FunctionKey) => ({
      functionName: functionName(config.stage, key),
      entry: entry(key),
      logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
      externalModules: externalsFor(key),
    });

    const digest = new PipelineFunction(this, 'DigestFunction', {
      ...common('digest'),
      description: 'Builds the issue once and enqueues its recipients (scheduled, or `digest send --remote`)',
      timeout: Duration.minutes(10),
      memorySize: 1024,
      environment: { DIGEST_TEMPLATES_DIR: LAMBDA_TEMPLATES_DIR },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // Templates are read at run time, so they travel next to the bundle.
        afterBundling: (inputDir: string, outputDir: string) => [
          `cp -R "${join(inputDir, 'templates')}" "${join(outputDir, 'templates')}"`,
        ],
      },
    });
    const send = new PipelineFunction(this, 'SendFunction', {
      ...common('send'),
      description: 'Sends one queued batch of recipients through SES, reporting partial batch failures',
      timeout: sendTimeout,
      memorySize: 512,
    });
    const api = new PipelineFunction(this, 'ApiFunction', {
      ...common('api'),
      description: 'Signup, confirm, one-click unsubscribe and archive pages (Hono behind the HTTP API)',
      timeout: Duration.seconds(10),
    });
    const feedback = new PipelineFunction(this, 'FeedbackFunction', {
      ...common('feedback'),
      description: 'Marks bounced and complaining subscribers from SES events delivered by SNS',
      timeout: Duration.seconds(30),
    });
    const fetch = new PipelineFunction(this, 'FetchFunction', {
      ...common('fetch'),
      description: 'Fetches every source (feeds and pages) into articles/, on its own schedule',
      timeout: Duration.minutes(5),
      memorySize: 512,
    });
    this.functions = { digest, send, api, feedback, fetch };

    // ── HTTP API with throttling on the default stage ────────────────────────────────────────
    const httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `digest-${config.stage}`,
      description: 'Subscription pages and one-click unsubscribe',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', api),
    });
    const apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'HttpApiDefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiAccessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const publicUrl = config.publicUrl ?? httpApi.apiEndpoint;

    // ── Settings and grants, function by function ────────────────────────────────────────────
    const mail = {
      DIGEST_FROM_ADDRESS: config.fromAddress,
      DIGEST_BRAND_NAME: config.brandName,
      DIGEST_PUBLIC_URL: publicUrl,
      DIGEST_UNSUBSCRIBE_MAILTO: config.unsubscribeMailto,
      DIGEST_POSTAL_ADDRESS: config.postalAddress,
      DIGEST_LIST_ID: config.listId,
      // The account's SES rate. Set, so no function needs ses:GetAccount (which IAM grants only
      // on Resource "*") to learn it.
      DIGEST_SEND_RATE: String(config.sendRate),
      DIGEST_DAILY_QUOTA: String(config.dailyQuota),
    };
    const TOKENS = 'DIGEST_TOKEN_SECRETS_PARAMETER';
    const CONFIG_SET = 'DIGEST_SES_CONFIGURATION_SET';

    digest
      .setEnvironment({ ...mail, DIGEST_ITEMS_PER_ISSUE: String(config.itemsPerIssue) })
      // Scan, PutItem and DeleteItem for the identity migration run before each send (dedupe:
      // records an older version stored per spelling move to their mailbox key, with their
      // delivery records).
      // BatchGetItem: a dry run reads recipients and their delivery records in batches, as a send does.
      .bindTable(
        subscribers,
        'SUBSCRIBERS_TABLE',
        ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'DeleteItem'],
        { indexes: ['byStatus'] },
      )
      .bindTable(issues, 'ISSUES_TABLE', ['GetItem', 'PutItem', 'UpdateItem', 'Scan'])
      .bindTable(deliveries, 'DELIVERIES_TABLE', ['GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem'])
      .bindBucket(bucket, 'DIGEST_BUCKET', { read: [ARTICLES, ISSUES], write: [ISSUES] })
      .bindQueueSender(this.sendQueue, 'DIGEST_SEND_QUEUE_URL')
      .allowSendEmail(identity.emailIdentityArn, configurationSetName, CONFIG_SET)
      .bindParameter(config.tokenSecretsParameter, TOKENS);

    send
      .setEnvironment({
        ...mail,
        // Each send function limits itself to DIGEST_SEND_RATE / this; with the event source's
        // maxConcurrency equal to it, all of them together stay under the SES rate.
        DIGEST_SEND_FUNCTION_CONCURRENCY: String(config.sendConcurrency),
      })
      // The suppression re-check and the batch's delivery records are read in batches, and `sent`
      // records are group-committed with BatchWriteItem (see adapters/dynamo/delivery-store.ts).
      .bindTable(subscribers, 'SUBSCRIBERS_TABLE', ['GetItem', 'BatchGetItem'])
      .bindTable(issues, 'ISSUES_TABLE', ['UpdateItem'])
      .bindTable(deliveries, 'DELIVERIES_TABLE', [
        'GetItem',
        'BatchGetItem',
        'PutItem',
        'UpdateItem',
        'BatchWriteItem',
      ])
      .bindBucket(bucket, 'DIGEST_BUCKET', { read: [ISSUES] })
      .allowSendEmail(identity.emailIdentityArn, configurationSetName, CONFIG_SET)
      .bindParameter(config.tokenSecretsParameter, TOKENS);
    send.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: 10,
        // maxConcurrency × (DIGEST_SEND_RATE / DIGEST_SEND_FUNCTION_CONCURRENCY) ≤ the SES rate.
        maxConcurrency: config.sendConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    api
      .setEnvironment(mail)
      .bindTable(subscribers, 'SUBSCRIBERS_TABLE', ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'])
      .bindTable(rateLimits, 'RATE_LIMITS_TABLE', ['UpdateItem'])
      .bindTable(issues, 'ISSUES_TABLE', ['GetItem', 'Scan'])
      .bindBucket(bucket, 'DIGEST_BUCKET', { read: [ISSUES] })
      .allowSendEmail(identity.emailIdentityArn, configurationSetName, CONFIG_SET)
      .bindParameter(config.tokenSecretsParameter, TOKENS);

    // Reads to check that we sent the message a notification names to that recipient (the
    // delivery record, or the confirmation-mail log) before anything changes.
    feedback
      .bindTable(subscribers, 'SUBSCRIBERS_TABLE', ['GetItem', 'UpdateItem'])
      .bindTable(deliveries, 'DELIVERIES_TABLE', ['GetItem'])
      .bindTable(issues, 'ISSUES_TABLE', ['Scan']);

    fetch
      .setEnvironment({
        // The User-Agent names the digest and its public URL.
        DIGEST_BRAND_NAME: config.brandName,
        DIGEST_PUBLIC_URL: publicUrl,
        DIGEST_BACKLOG_DAYS: String(config.backlogDays),
        DIGEST_ITEMS_PER_SOURCE: String(config.itemsPerSource),
      })
      .bindTable(sources, 'SOURCES_TABLE', [
        'Query',
        'GetItem',
        'PutItem',
        'UpdateItem',
        'BatchGetItem',
        'BatchWriteItem',
      ])
      // addNew checks a key is free (GetObject, 404 needs ListBucket), then writes it.
      .bindBucket(bucket, 'DIGEST_BUCKET', { read: [ARTICLES], write: [ARTICLES] });
    sesEvents.addSubscription(new LambdaSubscription(feedback));

    // ── Schedule: EventBridge Scheduler, in the configured time zone ─────────────────────────
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'Lets EventBridge Scheduler invoke the digest function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    new Schedule(this, 'WeeklySchedule', {
      description: `Builds and sends the digest (${config.scheduleExpression}, ${config.scheduleTimeZone})`,
      schedule: ScheduleExpression.expression(
        config.scheduleExpression,
        TimeZone.of(config.scheduleTimeZone),
      ),
      target: new LambdaInvoke(digest, {
        role: scheduleRole,
        input: ScheduleTargetInput.fromObject({ source: 'schedule' }),
        // The digest run is idempotent (an issue resumes where it stopped), so a retry is safe.
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });

    // The fetch function on a schedule of its own (hourly by default); the digest schedule is untouched.
    const fetchScheduleRole = new iam.Role(this, 'FetchScheduleRole', {
      description: 'Lets EventBridge Scheduler invoke the fetch function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    new Schedule(this, 'FetchSchedule', {
      description: `Fetches every source (${config.fetchScheduleExpression}, ${config.scheduleTimeZone})`,
      schedule: ScheduleExpression.expression(
        config.fetchScheduleExpression,
        TimeZone.of(config.scheduleTimeZone),
      ),
      target: new LambdaInvoke(fetch, {
        role: fetchScheduleRole,
        input: ScheduleTargetInput.fromObject({ source: 'schedule' }),
        // A fetch run is idempotent (items are remembered, article names derive from the story).
        retryAttempts: 1,
        maxEventAge: Duration.minutes(30),
      }),
    });

    // ── Alarms → topic (optionally emailed) ──────────────────────────────────────────────────
    const alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `digest-${config.stage} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    // The topic has its own policy (TLS only), so CloudWatch needs an explicit right to publish.
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (config.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    const alarmAction = new SnsAction(alarmTopic);
    const dlqAlarm = new Alarm(this, 'SendDeadLetterAlarm', {
      alarmDescription: 'Recipient batches gave up after 5 receives: inspect and redrive the DLQ',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    dlqAlarm.addAlarmAction(alarmAction);
    for (const [key, fn] of Object.entries(this.functions)) {
      const alarm = new Alarm(this, `${capitalize(key)}ErrorsAlarm`, {
        alarmDescription: `${fn.node.id}: invocations ended in an error`,
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
    }

    // ── Outputs ──────────────────────────────────────────────────────────────────────────────
    for (const [key, fn] of Object.entries(this.functions)) {
      new CfnOutput(this, `${capitalize(key)}FunctionName`, { value: fn.functionName });
    }
    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'PublicUrl', { value: publicUrl });
    new CfnOutput(this, 'SendQueueUrl', { value: this.sendQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSetName });
    new CfnOutput(this, 'TokenSecretsParameter', { value: config.tokenSecretsParameter });
    if (!zone) {
      const dkim = [
        [identity.dkimDnsTokenName1, identity.dkimDnsTokenValue1],
        [identity.dkimDnsTokenName2, identity.dkimDnsTokenValue2],
        [identity.dkimDnsTokenName3, identity.dkimDnsTokenValue3],
      ];
      dkim.forEach(([name, value], i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: `Add this CNAME to ${config.domain}'s DNS for Easy DKIM`,
          value: `${name} CNAME ${value}`,
        });
      });
    }

    this.acknowledgeFindings({ httpApi, scheduleRole, fetchScheduleRole });
  }

  /**
   * cdk-nag findings we accept, each with its reason; the tests fail on any other error. cdk-nag 3
   * needs one acknowledgement per finding id (no prefix matching), on the construct or a parent.
   */
  private acknowledgeFindings(scopes: {
    httpApi: HttpApi;
    scheduleRole: iam.Role;
    fetchScheduleRole: iam.Role;
  }): void {
    const ack = (scope: Construct, id: string, reason: string) =>
      Validations.of(scope).acknowledge({ id, reason });
    const bucketArn = (this.node.findChild('DigestBucket').node.defaultChild as CfnBucket).logicalId;
    const objectsArn = (prefix: string) =>
      `AwsSolutions-IAM5[Resource::<${this.resolve(bucketArn)}.Arn>/${prefix}*]`;

    for (const fn of Object.values(this.functions)) {
      ack(
        fn.executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level permissions.',
      );
    }
    const prefixGrants: [PipelineFunction, string[]][] = [
      [this.functions.digest, [ARTICLES, ISSUES]],
      [this.functions.send, [ISSUES]],
      [this.functions.api, [ISSUES]],
      [this.functions.fetch, [ARTICLES]],
    ];
    for (const [fn, prefixes] of prefixGrants) {
      for (const prefix of prefixes) {
        ack(
          fn.executionRole,
          objectsArn(prefix),
          `Object access is scoped to the ${prefix} key prefix of the pipeline's own bucket; keys under it are created at run time.`,
        );
      }
    }

    ack(
      scopes.httpApi,
      'AwsSolutions-APIG4',
      'Public subscription API by design: signup is rate limited per IP and stage-throttled, confirm and one-click unsubscribe (RFC 8058) are authorized by HMAC-signed tokens in the request, archive pages are public.',
    );
    ack(
      scopes.scheduleRole,
      `AwsSolutions-IAM5[Resource::<${this.resolve((this.functions.digest.node.defaultChild as CfnFunction).logicalId)}.Arn>:*]`,
      "Lambda's grantInvoke covers the function's versions and aliases (ARN:*); it is still this one function.",
    );
    ack(
      scopes.fetchScheduleRole,
      `AwsSolutions-IAM5[Resource::<${this.resolve((this.functions.fetch.node.defaultChild as CfnFunction).logicalId)}.Arn>:*]`,
      "Lambda's grantInvoke covers the function's versions and aliases (ARN:*); it is still this one function.",
    );

    // BucketDeployment's handler is a singleton the construct library adds at stack level.
    const deploymentHandler = this.node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (deploymentHandler) {
      ack(
        deploymentHandler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'BucketDeployment custom resource handler (aws-cdk-lib): logging policy chosen by the construct library.',
      );
      ack(
        deploymentHandler,
        'AwsSolutions-L1',
        'BucketDeployment custom resource handler (aws-cdk-lib) pins its own Python runtime; it runs only during deployments.',
      );
      const deploymentWildcards = [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        `Resource::<${this.resolve(bucketArn)}.Arn>/*`,
      ];
      for (const finding of deploymentWildcards) {
        ack(
          deploymentHandler,
          `AwsSolutions-IAM5[${finding}]`,
          'BucketDeployment custom resource handler (aws-cdk-lib): copies the seeds/ asset from the CDK asset bucket into the pipeline bucket; grants are generated by the construct library.',
        );
      }
    }
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** CloudWatch Logs accepts only certain retention periods: take the shortest one that covers `days`. */
function retentionDays(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? RetentionDays.TEN_YEARS;
}
