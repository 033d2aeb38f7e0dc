import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// The SDK versions are pinned in the lockfile (their newer releases need Node 22); the notice
// saying so would print on every local command and test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  ddb: DynamoDBDocumentClient;
  ses: SESClient;
  sesv2: SESv2Client;
  s3: S3Client;
  sqs: SQSClient;
  ssm: SSMClient;
}

/**
 * Clients are made once per process and passed in. Endpoints come from the SDK's own standard
 * variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SES, …): unset means AWS.
 */
export function makeClients(region: string): AwsClients {
  const dynamodb = new DynamoDBClient({ region });
  const ddb = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // Sending retries are ours (bounded backoff, "unknown" outcomes never retried blindly), so the
  // SDK must not retry SendRawEmail behind our back.
  const ses = new SESClient({ region, maxAttempts: 1 });
  const sesv2 = new SESv2Client({ region });
  return {
    dynamodb,
    ddb,
    ses,
    sesv2,
    s3: new S3Client({ region }),
    sqs: new SQSClient({ region }),
    ssm: new SSMClient({ region }),
  };
}

/** Closes every client's sockets (the CLI and tests end the process or the engines after this). */
export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
