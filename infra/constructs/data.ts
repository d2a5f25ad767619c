/** Where Stratus keeps its state: one DynamoDB table (records, graphs, events) and the blueprint bucket. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KEYS } from '../../core/aws/table-schema.ts';

/**
 * Key names of the table. The access patterns that use them are documented by the store (core/aws);
 * these names are the stable contract between the two.
 */
/** The table's keys and indexes: one definition, shared with the store (core/aws/table-schema.ts). */
export const TABLE_KEYS = {
  partitionKey: KEYS.pk,
  sortKey: KEYS.sk,
  indexes: [
    { name: KEYS.gsi1.name, partitionKey: KEYS.gsi1.pk, sortKey: KEYS.gsi1.sk },
    { name: KEYS.gsi2.name, partitionKey: KEYS.gsi2.pk, sortKey: KEYS.gsi2.sk },
  ],
  localIndexes: [{ name: KEYS.lsi1.name, sortKey: KEYS.lsi1.sk }],
} as const;

export class StratusData extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Retained on stack deletion: it holds every deployment's state and history.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_KEYS.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // keys only: record updates (instance state, execution counters) never write an index again
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
    for (const index of TABLE_KEYS.localIndexes) {
      this.table.addLocalSecondaryIndex({
        indexName: index.name,
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // events in time order; written once, so projecting them whole costs one index write each
        projectionType: ProjectionType.ALL,
      });
    }

    this.bucket = new Bucket(this, 'Blueprints', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
