import { Match } from 'aws-cdk-lib/assertions';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEAK_STATUS_KEY_PREFIX, REPORT_ITEM_KEY } from '../../lambdas/adapters/data-model';
import { type DispatchFunctionName, triggersOfKind } from '../../lambdas/app-model';
import { matchesStreamFilter } from '../../local/stream-filter';
import { synthDispatch } from './dispatch-app';

/**
 * The reports stream filter exists twice: as the event source mappings' filter criteria on AWS and as
 * `matchesStreamFilter` in the local stack. Both derive from the app model; this test runs every kind of item
 * the reports table holds through each and asks that they agree, and that only report items get through.
 */

type Image = Record<string, { S: string } | { N: string }>;

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', pk: string, sk: string, extra: Image = {}): DynamoDBRecord {
  const image: Image = { pk: { S: pk }, sk: { S: sk }, ...extra };
  return {
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: pk }, sk: { S: sk } },
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
      SequenceNumber: '1',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const reportPk = `${REPORT_ITEM_KEY.partitionKeyPrefix}01JREPORT`;

/** Every item kind of the reports table (`lambdas/adapters/reports-store.ts`, `leak-status-store.ts`). */
const SAMPLES: readonly { readonly kind: string; readonly record: DynamoDBRecord; readonly report: boolean }[] = [
  { kind: 'report created', record: record('INSERT', reportPk, REPORT_ITEM_KEY.sortKey), report: true },
  { kind: 'report changed', record: record('MODIFY', reportPk, REPORT_ITEM_KEY.sortKey), report: true },
  { kind: 'report deleted', record: record('REMOVE', reportPk, REPORT_ITEM_KEY.sortKey), report: true },
  { kind: 'tag entry', record: record('INSERT', reportPk, 'TAG#energy', { tagKey: { S: 'energy' } }), report: false },
  { kind: 'stale tag entry removed', record: record('REMOVE', reportPk, 'TAG#energy'), report: false },
  { kind: 'revision', record: record('INSERT', reportPk, 'REV#000001', { revision: { N: '1' } }), report: false },
  {
    kind: 'slug claim',
    record: record('INSERT', 'SLUG#a-report', 'SLUG', { reportId: { S: '01JREPORT' } }),
    report: false,
  },
  { kind: 'slug released', record: record('REMOVE', 'SLUG#a-report', 'SLUG'), report: false },
  { kind: 'leak status', record: record('INSERT', `${LEAK_STATUS_KEY_PREFIX}01JREPORT`, 'LEAK'), report: false },
  // Near misses: the sort key must equal REPORT, not merely start with it, and the prefix is the whole `REPORT#`.
  { kind: 'sort key REPORTS', record: record('INSERT', reportPk, 'REPORTS'), report: false },
  { kind: 'partition REPORT without #', record: record('INSERT', 'REPORT', 'REPORT'), report: false },
];

type Pattern = { readonly [key: string]: Pattern } | readonly PatternRule[];
type PatternRule = string | number | { readonly prefix: string };

/**
 * Lambda event filtering, for the operators a pattern of ours may use: an object matches when each of its fields
 * matches the event's field of that name (a missing field never matches), and a list when any rule in it matches
 * the value (a string or number equal to it, or `{"prefix": …}`). Any other operator fails the test.
 */
function matchesPattern(pattern: Pattern, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return (pattern as readonly PatternRule[]).some((rule) => {
      if (typeof rule === 'string' || typeof rule === 'number') return value === rule;
      if (Object.keys(rule).length === 1 && typeof rule.prefix === 'string') {
        return typeof value === 'string' && value.startsWith(rule.prefix);
      }
      throw new Error(`Operator not modelled by this test: ${JSON.stringify(rule)}`);
    });
  }
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern as Record<string, Pattern>).every(([name, inner]) =>
    matchesPattern(inner, (value as Record<string, unknown>)[name]),
  );
}

const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z])/g, (_match: string, _dash: string, letter: string) => letter.toUpperCase());

describe('reports stream filter', () => {
  const consumers = triggersOfKind('stream');
  let patterns: Map<DispatchFunctionName, Pattern[]>;

  beforeAll(() => {
    const template = synthDispatch().statelessTemplate;
    patterns = new Map(
      consumers.map(({ fn }) => {
        const mappings = Object.values(
          template.findResources('AWS::Lambda::EventSourceMapping', {
            Properties: { FunctionName: { Ref: Match.stringLikeRegexp(`^${pascal(fn)}Function[0-9A-F]{8}$`) } },
          }),
        ) as { Properties: { FilterCriteria?: { Filters: { Pattern: string }[] } } }[];
        const [mapping, ...others] = mappings;
        if (!mapping || others.length > 0) throw new Error(`Expected one event source mapping for ${fn}`);
        const filters = mapping.Properties.FilterCriteria?.Filters ?? [];
        return [fn, filters.map(({ Pattern }) => JSON.parse(Pattern) as Pattern)];
      }),
    );
  });

  it('is set on both reports stream consumers', () => {
    expect(consumers.map(({ fn }) => fn).sort()).toEqual(['feed-publisher', 'private-feed-builder']);
    for (const { fn, trigger } of consumers) {
      expect(trigger.filter, fn).toBeDefined();
      expect(patterns.get(fn), fn).toHaveLength(1);
    }
  });

  describe.each(SAMPLES)('$kind', ({ record: sample, report }) => {
    it.each(consumers.map(({ fn, trigger }) => ({ fn, filter: trigger.filter })))(
      'reaches $fn on AWS and locally alike',
      ({ fn, filter }) => {
        const onAws = (patterns.get(fn) ?? []).some((pattern) => matchesPattern(pattern, sample));
        expect(matchesStreamFilter(filter, sample)).toBe(onAws);
        expect(onAws).toBe(report);
      },
    );
  });
});
