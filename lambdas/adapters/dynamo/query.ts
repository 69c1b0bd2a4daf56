import {
  paginateQuery,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type StoredKey } from './cursor';

type Item = Record<string, unknown>;

/**
 * The pages of a query, following `LastEvaluatedKey` (the SDK's paginator). Stop early by breaking out of the
 * `for await`: no further page is read.
 */
export function queryPages(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncIterable<QueryCommandOutput> {
  // The paginator writes ExclusiveStartKey into the input it is given; the caller's object stays as it was.
  return paginateQuery({ client }, { ...input });
}

/** Every item a query matches, whatever the number of pages. */
export async function queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(client, input)) items.push(...(page.Items ?? []));
  return items;
}

export interface CursorPage {
  items: Item[];
  /** Opaque; passed back to read the next page. Absent on the last page. */
  nextCursor?: string;
}

/**
 * One page of a query for a caller that pages through it over several requests. The cursor is checked with
 * `isIssuedKey` before it reaches DynamoDB (see `decodeCursor`).
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  cursor: string | undefined,
  isIssuedKey: (key: StoredKey) => boolean,
): Promise<CursorPage> {
  const page = await client.send(
    new QueryCommand({ ...input, ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, isIssuedKey) } : {}) }),
  );
  return {
    items: page.Items ?? [],
    ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
  };
}
