import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableDefinition } from '../lambdas/adapters/data-model';
import type { StreamRecordFilter } from '../lambdas/app-model';
import type { DurableQueue } from './durable-queue';
import { readBody } from './http-messages';
import { serveHttp, type RunningServer } from './listen';
import { matchesStreamFilter } from './stream-filter';

type Item = Record<string, AttributeValue>;

export interface StreamTable {
  definition: TableDefinition;
  tableName: string;
  streamArn: string;
  /**
   * One journal per consumer: each event source mapping reads the stream independently, and its filter drops
   * records before they are journaled, as Lambda drops them before batching.
   */
  consumers: StreamConsumerJournal[];
}

export interface StreamConsumerJournal {
  queue: DurableQueue<DynamoDBRecord>;
  /** The app model's filter of this consumer (undefined: every record). */
  filter: StreamRecordFilter | undefined;
}

const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/**
 * dynalite has no DynamoDB Streams, so every client talks to dynalite through this proxy. For writes to a
 * stream-enabled table it reads the item before and after (serialised per item, so no write to it slips between
 * the two reads), journals a record of the shape AWS delivers, and only then answers the client.
 */
export class StreamProxy {
  private server: RunningServer | undefined;
  private readonly direct: DynamoDBClient;
  private readonly locks = new Map<string, Promise<void>>();
  private sequence = BigInt(Date.now()) * 1000n;

  constructor(
    private readonly upstream: URL,
    private readonly tables: Map<string, StreamTable>,
  ) {
    this.direct = new DynamoDBClient({
      endpoint: upstream.toString(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = await serveHttp(
      (req, res) => {
        this.handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb#InternalServerError', message: String(error) }));
        });
      },
      port,
      host,
    );
    return this.server.port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await this.server.close();
    await Promise.all(this.locks.values());
    this.direct.destroy();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const touched = WRITE_OPS.has(operation) ? this.streamKeys(operation, body) : [];
    if (touched.length === 0) {
      const response = await this.forward(req, body);
      respond(res, response);
      return;
    }
    // Lock per item: the before/after reads of one key must not interleave with another write to that key,
    // while writes to different items go ahead in parallel as they do in DynamoDB.
    const itemKeys = [...new Set(touched.map((t) => `${t.table.tableName}|${JSON.stringify(t.key)}`))].sort();
    await this.withLocks(itemKeys, async () => {
      const before = await Promise.all(touched.map((t) => this.read(t.table.tableName, t.key)));
      const response = await this.forward(req, body);
      if (response.status === 200) {
        // A put's new image is its item and a delete has none; only an update must be read back.
        const after = await Promise.all(
          touched.map((t) =>
            t.written === undefined ? this.read(t.table.tableName, t.key) : (t.written ?? undefined),
          ),
        );
        await this.journal(touched, before, after);
      }
      respond(res, response);
    });
  }

  private streamKeys(operation: string, rawBody: Buffer): { table: StreamTable; key: Item; written?: Item | null }[] {
    const request = JSON.parse(rawBody.toString('utf8')) as {
      TableName?: string;
      Item?: Item;
      Key?: Item;
      RequestItems?: Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
    };
    const keysOf = (table: StreamTable, item: Item): Item => {
      const names = [table.definition.partitionKey.name, table.definition.sortKey?.name].filter(
        (name): name is string => name !== undefined,
      );
      return Object.fromEntries(names.map((name) => [name, item[name] as AttributeValue]));
    };
    if (operation === 'BatchWriteItem') {
      return Object.entries(request.RequestItems ?? {}).flatMap(([name, writes]) => {
        const table = this.tables.get(name);
        if (!table) return [];
        return writes.flatMap((write): { table: StreamTable; key: Item; written: Item | null }[] => {
          if (write.PutRequest)
            return [{ table, key: keysOf(table, write.PutRequest.Item), written: write.PutRequest.Item }];
          if (write.DeleteRequest) return [{ table, key: keysOf(table, write.DeleteRequest.Key), written: null }];
          return [];
        });
      });
    }
    const table = request.TableName ? this.tables.get(request.TableName) : undefined;
    const item = request.Item ?? request.Key;
    if (!table || !item) return [];
    const written = operation === 'PutItem' ? request.Item : operation === 'DeleteItem' ? null : undefined;
    return [{ table, key: keysOf(table, item), ...(written !== undefined ? { written } : {}) }];
  }

  private async read(tableName: string, key: Item): Promise<Item | undefined> {
    const { Item } = await this.direct.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  private async journal(
    touched: { table: StreamTable; key: Item; written?: Item | null }[],
    before: (Item | undefined)[],
    after: (Item | undefined)[],
  ): Promise<void> {
    const byTable = new Map<StreamTable, DynamoDBRecord[]>();
    touched.forEach(({ table, key }, index) => {
      const oldImage = before[index];
      const newImage = after[index];
      if (!oldImage && !newImage) return;
      if (oldImage && newImage && sameItem(oldImage, newImage)) return; // DynamoDB emits nothing for a no-op write
      const eventName = !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY';
      this.sequence += 1n;
      const record: DynamoDBRecord = {
        eventID: createHash('md5').update(randomUUID()).digest('hex'),
        eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: table.streamArn,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: key as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
          ...(newImage ? { NewImage: newImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] } : {}),
          ...(oldImage ? { OldImage: oldImage as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'] } : {}),
          SequenceNumber: this.sequence.toString().padStart(21, '0'),
          SizeBytes: Buffer.byteLength(JSON.stringify(newImage ?? oldImage)),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      };
      byTable.set(table, [...(byTable.get(table) ?? []), record]);
    });
    await Promise.all(
      [...byTable.entries()].flatMap(([table, records]) =>
        table.consumers.map(({ queue, filter }) => {
          const matching = records.filter((record) => matchesStreamFilter(filter, record));
          return matching.length > 0 ? queue.push(matching) : Promise.resolve();
        }),
      ),
    );
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.upstream.host };
      const upstreamRequest = httpRequest(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers },
        (upstreamResponse) => {
          readBody(upstreamResponse)
            .then((responseBody) => {
              const responseHeaders: Record<string, string> = {};
              for (const [name, value] of Object.entries(upstreamResponse.headers)) {
                if (typeof value === 'string') responseHeaders[name] = value;
              }
              resolve({ status: upstreamResponse.statusCode ?? 500, headers: responseHeaders, body: responseBody });
            })
            .catch(reject);
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });
  }

  private async withLocks(names: string[], work: () => Promise<void>): Promise<void> {
    const previous = Promise.all(names.map((name) => this.locks.get(name)));
    const run = previous.then(work);
    const settled = run.catch(() => undefined);
    for (const name of names) this.locks.set(name, settled);
    try {
      await run;
    } finally {
      for (const name of names) if (this.locks.get(name) === settled) this.locks.delete(name);
    }
  }
}

function sameItem(a: Item, b: Item): boolean {
  return JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortDeep(v)]),
    );
  }
  return value;
}

function respond(
  res: ServerResponse,
  response: { status: number; headers: Record<string, string>; body: Buffer },
): void {
  const headers = { ...response.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(response.body.length);
  res.writeHead(response.status, headers);
  res.end(response.body);
}
