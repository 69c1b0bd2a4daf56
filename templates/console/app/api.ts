/**
 * The console's one client of the Dispatch HTTP API: the same routes the CLI calls (README "HTTP API",
 * `lambdas/routes.ts`), with the editor token as a Bearer header. Nothing else in the console calls `fetch` on the
 * API. The token is held here and in the session store only: never in a URL, never logged.
 */

export type Tier = 'complimentary' | 'subscriber';
export type ReaderTier = 'free' | 'paid';
export type ReportStatus = 'scheduled' | 'live' | 'unpublished' | 'released' | 'leak-blocked';
export type Role = 'admin' | 'editor';

/** One line of `GET /api/reports`. `status`, `released` and `freeAt` are newer; older servers send `state` only. */
export interface ReportLine {
  id: string;
  slug: string;
  title: string;
  tier: Tier;
  series: string;
  state: 'live' | 'unpublished';
  status?: ReportStatus;
  released?: boolean;
  freeAt?: string;
  publishAt: string;
  updatedAt: string;
  revision: number;
  tags: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface LeadImage {
  url: string;
  alt: string;
  caption?: string;
}

/** `GET /api/reports/{id}`: the stored report, its Markdown source and its history. */
export interface ReportDetail extends ReportLine {
  summary: string;
  authors: string[];
  leadImage?: LeadImage;
  dateline?: string;
  freeAfter?: string;
  mail?: false;
  body: string;
  history: { revision: number; action: string; editorName?: string; at: string }[];
  leakBlocked: { artifacts: string[]; action: string; at: string } | null;
}

/** What the report routes accept (the front matter as JSON, plus the Markdown body). */
export interface ReportInput {
  title: string;
  summary: string;
  tier: Tier;
  series: string;
  tags: string[];
  authors: string[];
  body: string;
  publishAt?: string;
  freeAfter?: string;
  leadImage?: LeadImage;
}

export interface PartSize {
  words: number;
  bytes: number;
}

export interface CutSummary {
  cut: 'marker' | 'first-two-paragraphs' | 'none';
  parts: { public: PartSize; subscriber: PartSize };
  warnings: string[];
}

/** One tier's feed item as its feed carries it: what a feed reader shows, and the RSS `<item>` as written. */
export interface FeedItemPreview {
  contentHtml: string;
  rss: string;
}

/** `POST /api/reports/preview`: the cut, the page's two parts, and the feed item per reader tier. */
export interface ReportPreview extends CutSummary {
  publicHtml: string;
  subscriberHtml: string;
  feedItem: Record<ReaderTier, FeedItemPreview>;
}

/** The reports the clip rule shortened to a link in a mail too heavy for all of them in full (≤ 90 KB). */
export interface ShortenedReports {
  shortenedReportIds: string[];
  shortenedReports: { id: string; title: string }[];
}

export interface MailPreview extends ShortenedReports {
  subject: string;
  html: string;
  text: string;
}

/** `POST /api/digests/preview-report`: the report as a one-report digest edition, per reader tier. */
export type ReportMailPreview = Record<ReaderTier, MailPreview>;

export interface ReportWritten extends CutSummary {
  id: string;
  slug: string;
  url: string;
  revision: number;
  pausedEditions?: string[];
}

export interface Editor {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt?: string;
}

export interface NewEditor {
  id: string;
  name: string;
  role: Role;
  token: string;
  createdAt: string;
}

export interface Subscriber {
  email: string;
  tier: ReaderTier;
  status: string;
  createdAt: string;
  updatedAt?: string;
  /** The series this reader receives; null: every series, including later ones. */
  series?: string[] | null;
}

export type EditionStatus = 'planning' | 'sending' | 'paused' | 'cancelled' | 'sent' | 'sent-with-gaps';

/** `GET /api/digests/{id}` and each line of `GET /api/digests`. */
export interface Edition {
  id: string;
  status: EditionStatus;
  reason?: string;
  reports: number;
  reportIds: string[];
  recipients?: number;
  remaining?: number;
  sent: number;
  failed: number;
  suppressed: number;
  unknown: number;
  /** Readers who receive none of the edition's series: no mail, but handled. */
  noSeries?: number;
  createdAt: string;
  updatedAt?: string;
  completedAt?: string;
}

export interface DigestPreview extends ShortenedReports {
  tier: ReaderTier;
  subject: string;
  html: string;
  window: { start: string; end: string };
}

export interface TestSend {
  tier: ReaderTier;
  subject: string;
  messageId: string;
}

export type EditionControl = 'pause' | 'resume' | 'cancel';

/** A field the API named in a 4xx (`{error: {fields: [{field, message}]}}`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Any answer other than 2xx. `message` is the API's own sentence, meant for the editor. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API refused the token (401): the session is over and the editor must sign in again. */
export class SignedOutError extends ApiError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
    this.name = 'SignedOutError';
  }
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

const path = (...segments: string[]): string => segments.map(encodeURIComponent).join('/');

export class ApiClient {
  constructor(
    private readonly token: string,
    /** Told once the API answers 401, so the console can return to the sign-in form. */
    private readonly onSignedOut: (message: string) => void = () => undefined,
    private readonly fetchFn: FetchFn = (input, init) => fetch(input, init),
    private readonly baseUrl = '',
  ) {}

  // Reports (editor)
  listReports(page: { limit?: number; cursor?: string } = {}): Promise<Page<ReportLine>> {
    return this.request('GET', '/api/reports', { query: page });
  }

  getReport(id: string): Promise<ReportDetail> {
    return this.request('GET', `/api/reports/${path(id)}`);
  }

  previewReport(input: ReportInput): Promise<ReportPreview> {
    return this.request('POST', '/api/reports/preview', { body: input });
  }

  /** The email block of the same draft: digests-api compiles it (the one function that carries MJML). */
  previewReportMail(input: ReportInput): Promise<ReportMailPreview> {
    return this.request('POST', '/api/digests/preview-report', { body: input });
  }

  /** The Idempotency-Key makes a retried submit (a lost answer) replay the first one instead of creating twice. */
  createReport(input: ReportInput, idempotencyKey: string): Promise<ReportWritten> {
    return this.request('POST', '/api/reports', { body: input, headers: { 'Idempotency-Key': idempotencyKey } });
  }

  /** A correction of `revision`: a newer revision by someone else answers 412 instead of being overwritten. */
  updateReport(id: string, revision: number, input: ReportInput): Promise<ReportWritten> {
    return this.request('PUT', `/api/reports/${path(id)}`, {
      body: input,
      headers: { 'If-Match': `"${revision}"` },
    });
  }

  /** `DELETE` takes the report off every public file; a later `PUT` republishes it. */
  unpublishReport(id: string): Promise<{ pausedEditions?: string[] }> {
    return this.request('DELETE', `/api/reports/${path(id)}`);
  }

  // Editors (admin)
  listEditors(): Promise<{ items: Editor[] }> {
    return this.request('GET', '/api/editors');
  }

  createEditor(editor: { name: string; role: Role }): Promise<NewEditor> {
    return this.request('POST', '/api/editors', { body: editor });
  }

  revokeEditor(id: string): Promise<{ id: string; revoked: boolean }> {
    return this.request('DELETE', `/api/editors/${path(id)}`);
  }

  // Subscribers (admin)
  listSubscribers(query: { q?: string; cursor?: string; limit?: number }): Promise<Page<Subscriber>> {
    return this.request('GET', '/api/subscribers', { query });
  }

  /** Adds the address or changes it; the same call `dispatch subscribers add` and `import` make per row. */
  putSubscriber(
    email: string,
    settings: { tier?: ReaderTier; status?: 'active' | 'unsubscribed'; series?: string[] | null },
  ): Promise<unknown> {
    return this.request('PUT', `/api/subscribers/${path(email)}`, { body: settings });
  }

  // Digests (admin)
  listEditions(query: { limit?: number; cursor?: string } = {}): Promise<Page<Edition>> {
    return this.request('GET', '/api/digests', { query });
  }

  previewDigest(tier: ReaderTier): Promise<DigestPreview> {
    return this.request('GET', '/api/digests/preview', { query: { tier } });
  }

  testDigest(email: string, tier: ReaderTier): Promise<TestSend> {
    return this.request('POST', '/api/digests/test', { body: { email, tier } });
  }

  sendDigest(): Promise<Edition> {
    return this.request('POST', '/api/digests', { body: {} });
  }

  getEdition(id: string): Promise<Edition> {
    return this.request('GET', `/api/digests/${path(id)}`);
  }

  controlEdition(id: string, action: EditionControl): Promise<Edition> {
    return this.request('POST', `/api/digests/${path(id)}/${action}`);
  }

  /** Any other route of the API (the media module's upload request, for one). */
  async request<T>(method: string, route: string, options: RequestOptions = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') search.set(name, String(value));
    }
    const url = `${this.baseUrl}${route}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.token}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(
        0,
        'network_error',
        'The Dispatch API could not be reached; check the connection and try again',
      );
    }
    const body = await readBody(response);
    if (response.ok) return body as T;
    const error = errorFrom(response.status, body);
    if (response.status === 401) {
      this.onSignedOut(error.message);
      throw new SignedOutError(error.message);
    }
    throw error;
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Our error shape (`{error: {code, message, fields?}}`), or API Gateway's own (`{message}`) for auth failures on AWS. */
export function errorFrom(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined) {
    const message = typeof error.message === 'string' ? error.message : `The API answered ${status}`;
    const code = typeof error.code === 'string' ? error.code : `http_${status}`;
    return new ApiError(status, code, message, fieldProblems(error.fields));
  }
  if (status === 401) return new ApiError(401, 'unauthorized', 'The token was not accepted');
  if (status === 403) return new ApiError(403, 'forbidden', 'This token may not do that (an admin token is needed)');
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : `The API answered ${status}`;
  return new ApiError(status, `http_${status}`, message);
}

function fieldProblems(fields: unknown): FieldProblem[] {
  if (!Array.isArray(fields)) return [];
  return fields.flatMap((entry: unknown) =>
    isRecord(entry) && typeof entry.field === 'string' && typeof entry.message === 'string'
      ? [{ field: entry.field, message: entry.message }]
      : [],
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
