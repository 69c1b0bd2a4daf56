import { z } from 'zod';
import type { ReaderTier } from '../../lambdas/core/shared/reader-tier';
import { ApiError, NetworkError, firstLine, type FieldError } from './errors';

/**
 * A plain HTTP client of the Dispatch API (brief §4). The CLI never talks to AWS or the database: whatever it can
 * do, any other client with a token can do too. Responses are checked with zod so a server/CLI mismatch shows up
 * as one clear line instead of `undefined` in a table.
 */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export const EDITOR_ROLES = ['admin', 'editor'] as const;
export type EditorRole = (typeof EDITOR_ROLES)[number];
/** Digest states after which nothing more will happen without an operator. */
export const FINAL_DIGEST_STATES = ['sent', 'sent-with-gaps', 'cancelled', 'paused'] as const;
export const DIGEST_CONTROLS = ['pause', 'resume', 'cancel', 'retry-unknown'] as const;
export type DigestControl = (typeof DIGEST_CONTROLS)[number];

export const reportReceiptSchema = z.object({
  id: z.string(),
  slug: z.string(),
  url: z.string(),
  revision: z.number(),
  warnings: z.array(z.string()).default([]),
  /** Digest editions a correction paused because they were still sending the report. */
  pausedEditions: z.array(z.string()).default([]),
});
export type ReportReceipt = z.infer<typeof reportReceiptSchema>;

/** What `submit` needs to know of a stored report before it corrects it. */
const reportHeadSchema = z.object({ id: z.string(), slug: z.string(), revision: z.number(), state: z.string() });
export type ReportHead = z.infer<typeof reportHeadSchema>;

const reportLookupSchema = z.object({ items: z.array(reportHeadSchema).max(1) });

const historyEntrySchema = z.object({
  revision: z.number(),
  action: z.string(),
  editorId: z.string(),
  editorName: z.string().optional(),
  at: z.string(),
});
/** The stored report with its history: who saved which revision. */
const reportWithHistorySchema = reportHeadSchema.extend({ history: z.array(historyEntrySchema).default([]) });
export type ReportWithHistory = z.infer<typeof reportWithHistorySchema>;

const partSizeSchema = z.object({ words: z.number(), bytes: z.number() });
export const reportPreviewSchema = z.object({
  cut: z.enum(['marker', 'first-two-paragraphs', 'none']),
  parts: z.object({ public: partSizeSchema, subscriber: partSizeSchema }),
  warnings: z.array(z.string()),
  publicHtml: z.string(),
  subscriberHtml: z.string(),
});
export type ReportPreview = z.infer<typeof reportPreviewSchema>;

const reportRowSchema = z.object({
  id: z.string(),
  slug: z.string(),
  tier: z.string().optional(),
  state: z.string().optional(),
  revision: z.number().int().optional(),
  publishAt: z.string().optional(),
  title: z.string().optional(),
});
export type ReportRow = z.infer<typeof reportRowSchema>;

// The routes table fixes `cursor`/`nextCursor` but not the list key; accept the two obvious names.
const reportPageSchema = z
  .union([
    z.object({ items: z.array(reportRowSchema), nextCursor: z.string().nullish() }),
    z.object({ reports: z.array(reportRowSchema), nextCursor: z.string().nullish() }),
  ])
  .transform((page) => ({
    items: 'items' in page ? page.items : page.reports,
    nextCursor: page.nextCursor ?? undefined,
  }));
export type ReportPage = z.infer<typeof reportPageSchema>;

const editorCreatedSchema = z.object({ id: z.string(), token: z.string() });
const editorListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      role: z.string(),
      createdAt: z.string(),
      revokedAt: z.string().optional(),
    }),
  ),
});
export type EditorRow = z.infer<typeof editorListSchema>['items'][number];
const subscriberPageSchema = z.object({
  items: z.array(
    z.object({
      email: z.string(),
      tier: z.string(),
      status: z.string(),
      createdAt: z.string(),
      updatedAt: z.string().optional(),
      /** null (or absent, from an API before series preferences): every series. */
      series: z.array(z.string()).nullable().optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});
export type SubscriberPage = z.infer<typeof subscriberPageSchema>;
const feedUrlSchema = z.object({ url: z.string() });
const digestPreviewSchema = z.object({ subject: z.string(), html: z.string() });
const digestAcceptedSchema = z.object({ id: z.string() });
export const digestProgressSchema = z.object({
  id: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  recipients: z.number().optional(),
  remaining: z.number().optional(),
  sent: z.number().default(0),
  failed: z.number().default(0),
  suppressed: z.number().default(0),
  unknown: z.number().default(0),
  /** Readers who receive none of the edition's series: no mail, but handled. */
  noSeries: z.number().default(0),
});
export type DigestProgress = z.infer<typeof digestProgressSchema>;

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.unknown().optional(),
  }),
});

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchFn: FetchFn = fetch,
    private readonly timeoutMs = 30_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  createReport(input: Record<string, unknown>, idempotencyKey: string): Promise<ReportReceipt> {
    return this.call(reportReceiptSchema, 'POST', '/api/reports', {
      body: input,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  /** The server's validation and cut of a report, with nothing stored. */
  previewReport(input: Record<string, unknown>): Promise<ReportPreview> {
    return this.call(reportPreviewSchema, 'POST', '/api/reports/preview', { body: input });
  }

  /** A correction: If-Match makes a stale edit fail with 412 instead of overwriting someone else's. */
  updateReport(
    id: string,
    revision: number,
    input: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<ReportReceipt> {
    return this.call(reportReceiptSchema, 'PUT', `/api/reports/${seg(id)}`, {
      body: input,
      headers: { 'If-Match': `"${revision}"`, 'Idempotency-Key': idempotencyKey },
    });
  }

  /** The report that holds `slug`, whatever its state, or undefined when none does. */
  async findReportBySlug(slug: string): Promise<ReportHead | undefined> {
    return (await this.call(reportLookupSchema, 'GET', '/api/reports', { query: { slug } })).items[0];
  }

  getReport(id: string): Promise<ReportWithHistory> {
    return this.call(reportWithHistorySchema, 'GET', `/api/reports/${seg(id)}`);
  }

  listReports(page: { limit?: number; cursor?: string }): Promise<ReportPage> {
    return this.call(reportPageSchema, 'GET', '/api/reports', { query: page });
  }

  async unpublishReport(id: string): Promise<void> {
    await this.request('DELETE', `/api/reports/${seg(id)}`);
  }

  createEditor(editor: { name: string; role: EditorRole }): Promise<{ id: string; token: string }> {
    return this.call(editorCreatedSchema, 'POST', '/api/editors', { body: editor });
  }

  async listEditors(): Promise<EditorRow[]> {
    return (await this.call(editorListSchema, 'GET', '/api/editors')).items;
  }

  async revokeEditor(id: string): Promise<void> {
    await this.request('DELETE', `/api/editors/${seg(id)}`);
  }

  /** `series`: a list of ids (empty: none), null for every series; left out, the reader's series stay as they are. */
  async putSubscriber(
    email: string,
    settings: { tier?: ReaderTier; status?: string; series?: string[] | null },
  ): Promise<void> {
    await this.request('PUT', `/api/subscribers/${seg(email)}`, { body: settings });
  }

  listSubscribers(page: { q?: string; limit?: number; cursor?: string }): Promise<SubscriberPage> {
    return this.call(subscriberPageSchema, 'GET', '/api/subscribers', { query: page });
  }

  async feedUrl(email: string): Promise<string> {
    return (await this.call(feedUrlSchema, 'GET', `/api/subscribers/${seg(email)}/feed-url`)).url;
  }

  previewDigest(tier: ReaderTier): Promise<{ subject: string; html: string }> {
    return this.call(digestPreviewSchema, 'GET', '/api/digests/preview', { query: { tier } });
  }

  sendDigest(): Promise<{ id: string }> {
    return this.call(digestAcceptedSchema, 'POST', '/api/digests', { body: {} });
  }

  digestProgress(id: string): Promise<DigestProgress> {
    return this.call(digestProgressSchema, 'GET', `/api/digests/${seg(id)}`);
  }

  controlDigest(id: string, action: DigestControl): Promise<DigestProgress> {
    return this.call(digestProgressSchema, 'POST', `/api/digests/${seg(id)}/${action}`);
  }

  private async call<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const { status, body } = await this.request(method, path, options);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ApiError(
        status,
        'unexpected_response',
        `${method} ${path} answered in a shape this CLI does not understand${where}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx answer, throws ApiError/NetworkError otherwise. */
  async request(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(url.toString(), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new NetworkError(this.baseUrl, networkReason(error, this.timeoutMs));
    }

    const json = parseJson(text);
    if (response.ok) return { status: response.status, body: json };
    throw this.toApiError(response, json, text);
  }

  private toApiError(response: Response, json: unknown, text: string): ApiError {
    const hint =
      response.status === 401 && !this.token
        ? 'no token: set DISPATCH_TOKEN, or run `npm start` so .dispatch/admin-token exists'
        : undefined;
    const parsed = errorBodySchema.safeParse(json);
    if (parsed.success) {
      const { code, message, fields } = parsed.data.error;
      return new ApiError(response.status, code, message, readFields(fields), hint);
    }
    // Not our error envelope (a proxy, a gateway timeout page): say what came back, briefly.
    const snippet = firstLine(text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ')).slice(0, 160);
    const message = [response.statusText, snippet].filter(Boolean).join(' - ') || 'request failed';
    return new ApiError(response.status, undefined, message, [], hint);
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `fields` may arrive as `{title: "..."}`, `{title: ["..."]}` or `[{field|path, message}]`; all read the same. */
export function readFields(raw: unknown): FieldError[] {
  if (Array.isArray(raw)) {
    return raw.flatMap((entry: unknown) => {
      const item = z
        .object({
          field: z.string().optional(),
          path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).optional(),
          message: z.string(),
        })
        .safeParse(entry);
      if (!item.success) return [];
      const { field, path, message } = item.data;
      const name = field ?? (Array.isArray(path) ? path.join('.') : path) ?? '(request)';
      return [{ field: name, message }];
    });
  }
  if (raw && typeof raw === 'object') {
    return Object.entries(raw).flatMap(([field, value]: [string, unknown]) => {
      if (typeof value === 'string') return [{ field, message: value }];
      if (Array.isArray(value)) {
        return value.filter((m): m is string => typeof m === 'string').map((message) => ({ field, message }));
      }
      return [];
    });
  }
  return [];
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000}s`;
  }
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), sometimes an AggregateError.
  const cause = error instanceof Error ? error.cause : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  if (code) return code;
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return firstLine(message);
}

function errorCode(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  if ('code' in value && typeof value.code === 'string') return value.code;
  if ('errors' in value && Array.isArray(value.errors)) return errorCode(value.errors[0]);
  return undefined;
}
