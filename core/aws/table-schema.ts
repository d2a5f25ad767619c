/**
 * The one DynamoDB table and its keys. Access patterns are documented in core/README.md.
 * infra/ declares the same keys; the local stack and tests create the table from here.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

export const KEYS = {
  pk: 'pk',
  sk: 'sk',
  gsi1: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' },
  gsi2: { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' },
  /** events in time order within their partition (their base key is their id, for idempotence) */
  lsi1: { name: 'lsi1', sk: 'lsi1sk' },
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const gsi = (g: { name: string; pk: string; sk: string }) => ({
    IndexName: g.name,
    KeySchema: [
      { AttributeName: g.pk, KeyType: 'HASH' as const },
      { AttributeName: g.sk, KeyType: 'RANGE' as const },
    ],
    // keys only: updating a record (instance state, execution counters) never writes an index again
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      s(KEYS.pk),
      s(KEYS.sk),
      s(KEYS.gsi1.pk),
      s(KEYS.gsi1.sk),
      s(KEYS.gsi2.pk),
      s(KEYS.gsi2.sk),
      s(KEYS.lsi1.sk),
    ],
    KeySchema: [
      { AttributeName: KEYS.pk, KeyType: 'HASH' },
      { AttributeName: KEYS.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [gsi(KEYS.gsi1), gsi(KEYS.gsi2)],
    LocalSecondaryIndexes: [
      {
        IndexName: KEYS.lsi1.name,
        KeySchema: [
          { AttributeName: KEYS.pk, KeyType: 'HASH' },
          { AttributeName: KEYS.lsi1.sk, KeyType: 'RANGE' },
        ],
        // events are written once: projecting them whole costs one index write each, never more
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * Creates the table unless it exists, and waits until it is ACTIVE (local stack and tests; on AWS
 * the CDK stack owns it). dynalite on a data dir answers CreateTable before the table is usable.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists(
    { client, minDelay: 0.05, maxDelay: 1, maxWaitTime: 30 },
    { TableName: tableName },
  );
}
