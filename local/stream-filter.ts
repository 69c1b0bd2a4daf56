import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamKeyCondition, StreamRecordFilter } from '../lambdas/app-model';

type Keys = NonNullable<DynamoDBRecord['dynamodb']>['Keys'];

/**
 * The local stand-in for an event source mapping's filter criteria: true when the record reaches the consumer.
 * Lambda matches `dynamodb.Keys.<name>.S`, so a key that is missing or not a string never matches; with no
 * filter every record does.
 */
export function matchesStreamFilter(filter: StreamRecordFilter | undefined, record: DynamoDBRecord): boolean {
  if (filter === undefined) return true;
  const keys: Keys = record.dynamodb?.Keys;
  return Object.entries(filter.keys).every(([name, condition]) => meets(keys?.[name]?.S, condition));
}

function meets(value: string | undefined, condition: StreamKeyCondition): boolean {
  if (value === undefined) return false;
  return 'prefix' in condition ? value.startsWith(condition.prefix) : value === condition.equals;
}
