import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { idempotencyTable } from './data-model';

/**
 * Powertools' DynamoDB persistence over our Idempotency table, with the table's own key and TTL attribute names
 * so the table (and its TTL setting) stays as it is. Against dynalite, which returns no `Item` on a failed
 * condition, the layer falls back to a consistent read of the record; the outcome is the same.
 */
export function idempotencyRecords(client: DynamoDBClient, tableName: string): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: idempotencyTable.partitionKey.name,
    expiryAttr: idempotencyTable.timeToLiveAttribute,
  });
}
