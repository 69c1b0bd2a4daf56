import { createHash } from 'node:crypto';
import { resolveFreeAt } from './durations';
import { fingerprintSubscriberPart } from './fingerprints';
import { findImagesWithoutAlt, renderMarkdown } from './markdown';
import { cutPreview, normaliseBody, PAYWALL_MARKER } from './preview-cut';
import type { Publication } from './publication';
import { reportInputSchema, type PaidPart, type ReportInput, type ReportRecord } from './report';
import { sanitizeStrings } from './text-safety';
import { reportUrl } from './tiers';

/**
 * Report intake, pure: validation beyond the schema, the preview cut (once, here), rendering, fingerprints and
 * the split into what the reports table may hold and what only the vault may hold.
 */
export type IntakeProblem =
  | { kind: 'invalid'; fields: { field: string; message: string }[] }
  | { kind: 'too-large'; field: string; message: string };

export type ParsedInput = { ok: true; input: ReportInput } | { ok: false; problem: IntakeProblem };

/** XML-illegal characters are stripped before anything else sees the input, so no channel ever gets them. */
export function parseReportInput(raw: Record<string, unknown>, publication: Publication): ParsedInput {
  const cleaned = sanitizeStrings(raw);
  const result = reportInputSchema(publication).safeParse(cleaned);
  if (!result.success) {
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        fields: result.error.issues.map((issue) => ({
          field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
          message: issue.message,
        })),
      },
    };
  }
  const input = result.data;
  const bytes = Buffer.byteLength(input.body, 'utf8');
  if (bytes > publication.maxBodyBytes) {
    return {
      ok: false,
      problem: {
        kind: 'too-large',
        field: 'body',
        message: `is ${bytes} bytes; the limit is ${publication.maxBodyBytes} bytes`,
      },
    };
  }
  const missingAlt = findImagesWithoutAlt(input.body);
  if (missingAlt > 0) {
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        fields: [
          { field: 'body', message: `has ${missingAlt} image(s) without alt text; write ![what it shows](url)` },
        ],
      },
    };
  }
  if (input.tier === 'subscriber') {
    const problem = paywallProblem(input.body);
    if (problem) return { ok: false, problem: { kind: 'invalid', fields: [{ field: 'body', message: problem }] } };
  }
  return { ok: true, input };
}

const MARKER_LIKE = /<!--\s*paywall\s*-->/i;

/**
 * The cut fails open by nature (no marker → two paragraphs public), so an editor's intent must never be guessed:
 * a marker the cut cannot use (inside a quote, a list or code, misspelt) or a cut that leaves subscribers nothing
 * is refused rather than published in full.
 */
function paywallProblem(body: string): string | undefined {
  const cut = cutPreview(body);
  if (!cut.usedMarker && MARKER_LIKE.test(body)) {
    const line = body.split(/\r?\n/).findIndex((text) => MARKER_LIKE.test(text)) + 1;
    return `has a paywall marker on line ${line} that the cut cannot use: write ${PAYWALL_MARKER} alone on its own line, outside quotes, lists and code blocks`;
  }
  const subscriberProse = cut.subscriberMarkdown
    .split(/\r?\n/)
    .filter((text) => text.trim() !== '' && !/^\[\^[^\]]+\]:/.test(text));
  if (subscriberProse.length === 0) {
    return `leaves nothing for subscribers: add ${PAYWALL_MARKER} where the subscriber-only part begins, or make the report complimentary`;
  }
  return undefined;
}

export interface VaultObject {
  key: string;
  body: string;
  contentType: string;
}

export interface PreparedReport {
  record: ReportRecord;
  /** Written before the table item that references them: a crash leaves at most an unreferenced object. */
  vaultObjects: VaultObject[];
}

export interface Identity {
  id: string;
  slug: string;
  revision: number;
  createdAt: string;
  /** On a correction, the publishAt to keep when the editor gives none. */
  previousPublishAt?: string;
}

export function prepareReport(
  input: ReportInput,
  identity: Identity,
  publication: Publication,
  now: Date,
): PreparedReport {
  const url = reportUrl(publication, identity.slug);
  // Footnote links are absolute too: the same HTML goes into feeds, read far from the page.
  const render = (markdown: string): string => renderMarkdown(markdown, { baseUrl: url, absoluteFragments: url });
  const publishAt = new Date(input.publishAt ?? identity.previousPublishAt ?? now.toISOString()).toISOString();
  const freeAt = input.tier === 'subscriber' && input.freeAfter ? resolveFreeAt(input.freeAfter, publishAt) : undefined;
  const source = contentAddressed('source/', JSON.stringify(input), 'application/json');

  const base = {
    id: identity.id,
    slug: identity.slug,
    revision: identity.revision,
    createdAt: identity.createdAt,
    updatedAt: now.toISOString(),
    title: input.title,
    summary: input.summary,
    tier: input.tier,
    series: input.series,
    tags: input.tags,
    authors: input.authors,
    ...(input.leadImage ? { leadImage: input.leadImage } : {}),
    publishAt,
    ...(input.freeAfter && freeAt ? { freeAfter: input.freeAfter, freeAt } : {}),
    state: 'live' as const,
    sourceRef: source.key,
  };

  const fullHtml = render(normaliseBody(input.body));
  if (input.tier === 'complimentary') {
    return { record: { ...base, released: false, publicHtml: fullHtml, fingerprints: [] }, vaultObjects: [source] };
  }

  const cut = cutPreview(input.body);
  const paidPart: PaidPart = { subscriberMarkdown: cut.subscriberMarkdown, fullHtml };
  const paid = contentAddressed('paid/', JSON.stringify(paidPart), 'application/json');
  // Already past freeAfter at intake (a back-dated report): public in full from the start.
  const released = freeAt !== undefined && Date.parse(freeAt) <= now.getTime();
  const publicText = [input.title, input.summary, cut.publicMarkdown].join('\n\n');
  return {
    record: {
      ...base,
      released,
      publicHtml: released ? fullHtml : render(cut.publicMarkdown),
      paidRef: paid.key,
      fingerprints: released ? [] : fingerprintSubscriberPart(cut.subscriberMarkdown, publicText),
    },
    vaultObjects: [source, paid],
  };
}

function contentAddressed(prefix: string, body: string, contentType: string): VaultObject {
  const digest = createHash('sha256').update(body, 'utf8').digest('hex');
  return { key: `${prefix}${digest}.json`, body, contentType };
}
