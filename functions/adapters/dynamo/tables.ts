import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';

/**
 * Key schemas of the tables, in one place. The CDK stack declares the same keys (see
 * infra/); locally these definitions create the tables in dynalite.
 */
export const SUBSCRIBERS_STATUS_INDEX = 'byStatus';

export interface TableNames {
  subscribers: string;
  deliveries: string;
  issues: string;
  rateLimits: string;
  /** Sources, item memory and story fingerprints (see source-store.ts); optional for callers that do not fetch. */
  sources?: string | undefined;
}

const attr = (name: string): AttributeDefinition => ({ AttributeName: name, AttributeType: 'S' });

export function tableDefinitions(names: TableNames): CreateTableCommandInput[] {
  const sources: CreateTableCommandInput[] = names.sources
    ? [
        {
          TableName: names.sources,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [attr('pk'), attr('sk')],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        },
      ]
    : [];
  return [
    ...sources,
    {
      TableName: names.subscribers,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [attr('email'), attr('status')],
      KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: SUBSCRIBERS_STATUS_INDEX,
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'email', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    },
    {
      TableName: names.deliveries,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [attr('issueId'), attr('email')],
      KeySchema: [
        { AttributeName: 'issueId', KeyType: 'HASH' },
        { AttributeName: 'email', KeyType: 'RANGE' },
      ],
    },
    {
      TableName: names.issues,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [attr('issueId')],
      KeySchema: [{ AttributeName: 'issueId', KeyType: 'HASH' }],
    },
    {
      TableName: names.rateLimits,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [attr('key')],
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    },
  ];
}

/** Creates missing tables (local engines only: on AWS the CDK stack owns them). */
export async function ensureTables(ddb: DynamoDBClient, names: TableNames): Promise<void> {
  for (const def of tableDefinitions(names)) {
    try {
      await ddb.send(new DescribeTableCommand({ TableName: def.TableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await ddb.send(new CreateTableCommand(def));
    }
  }
}
