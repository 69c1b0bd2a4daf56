import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import type { StreamKeyCondition, StreamRecordFilter } from '../lambdas/app-model';

/**
 * The event source mapping filter for an app-model stream filter: Lambda drops records that do not match before
 * it batches, so they are never delivered and never count towards `batchSize`. Key conditions go on
 * `dynamodb.Keys`, which INSERT, MODIFY and REMOVE records all carry (a delete has no NewImage to match on).
 * `local/stream-filter.ts` evaluates the same model value for the local stack.
 */
export function streamFilterCriteria(filter: StreamRecordFilter): Record<string, unknown> {
  const keys = Object.fromEntries(
    Object.entries(filter.keys).map(([name, condition]) => [name, { S: rule(condition) }]),
  );
  return FilterCriteria.filter({ dynamodb: { Keys: keys } });
}

function rule(condition: StreamKeyCondition): unknown {
  return 'prefix' in condition
    ? FilterRule.beginsWith(condition.prefix)
    : (FilterRule.isEqual(condition.equals) as unknown);
}
