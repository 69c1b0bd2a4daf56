import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { StreamRecordFilter } from '../../lambdas/app-model';
import { matchesStreamFilter } from '../../local/stream-filter';

const filter: StreamRecordFilter = { keys: { pk: { prefix: 'REPORT#' }, sk: { equals: 'REPORT' } } };

const withKeys = (keys: NonNullable<DynamoDBRecord['dynamodb']>['Keys']): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { Keys: keys, SequenceNumber: '1' },
});

describe('local stream filter', () => {
  it('passes a record whose keys meet every condition', () => {
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'REPORT#R1' }, sk: { S: 'REPORT' } }))).toBe(true);
  });

  it('drops a record that meets only some conditions', () => {
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'REPORT#R1' }, sk: { S: 'TAG#energy' } }))).toBe(false);
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'SLUG#a' }, sk: { S: 'REPORT' } }))).toBe(false);
  });

  it('compares an equals condition whole, not as a prefix', () => {
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'REPORT#R1' }, sk: { S: 'REPORTS' } }))).toBe(false);
  });

  it('matches on Keys alone, so a delete (no NewImage) gets through', () => {
    const removed: DynamoDBRecord = {
      eventName: 'REMOVE',
      dynamodb: { Keys: { pk: { S: 'REPORT#R1' }, sk: { S: 'REPORT' } }, SequenceNumber: '2' },
    };
    expect(matchesStreamFilter(filter, removed)).toBe(true);
  });

  it('never matches a missing or non-string key', () => {
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'REPORT#R1' } }))).toBe(false);
    expect(matchesStreamFilter(filter, withKeys({ pk: { S: 'REPORT#R1' }, sk: { N: '1' } }))).toBe(false);
    expect(matchesStreamFilter(filter, { eventName: 'INSERT' })).toBe(false);
  });

  it('passes every record when the consumer has no filter', () => {
    expect(matchesStreamFilter(undefined, withKeys({ pk: { S: 'SLUG#a' }, sk: { S: 'SLUG' } }))).toBe(true);
  });
});
