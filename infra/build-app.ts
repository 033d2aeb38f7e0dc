import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackConfig, type StackConfig } from './config.ts';
import { DigestStack } from './digest-stack.ts';

/** Feature flags this app relies on (set in code so tests and `cdk synth` agree). */
export const FEATURE_FLAGS = {
  // Grant S3 server access logging through the log bucket's policy, not the legacy ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface BuildAppOptions {
  /** Extra context, as `-c key=value` would give (tests use it; the CLI passes cdk.json's). */
  context?: Record<string, unknown>;
  outdir?: string;
  handlersDir?: string;
}

/**
 * The CDK app: one `digest-<stage>` stack, with cdk-nag's AwsSolutions pack registered, so a synth
 * or deploy with an unacknowledged finding fails before anything reaches CloudFormation.
 */
export function buildApp(options: BuildAppOptions = {}): {
  app: App;
  stack: DigestStack;
  config: StackConfig;
} {
  const app = new App({
    context: { ...FEATURE_FLAGS, ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = readStackConfig(app.node);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new DigestStack(app, `digest-${config.stage}`, {
    config,
    ...(options.handlersDir ? { handlersDir: options.handlersDir } : {}),
    // Environment-agnostic unless the CLI resolved an account and region (as `cdk deploy` does).
    ...(account && region ? { env: { account, region } } : {}),
    tags: { project: 'newsletter-digest', stage: config.stage },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
