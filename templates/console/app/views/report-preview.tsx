import type { ReaderTier, ReportMailPreview, ReportPreview, Tier } from '../api';
import { markSubscriberOnly } from '../subscriber-marking';
import { documentHtml, ProblemNotice, SandboxedFrame, TabList, type Tab } from '../ui';

/** What the reader pages of the site show below a subscriber report's public part (`core/paywall/tiers.ts`). */
const SUBSCRIBER_NOTICE = 'The full text of this report is available to subscribers.';

/** Reading styles for the preview frames (the frames inherit the console CSP, which allows inline styles). */
const PAGE_STYLES = `
body { font: 16px/1.55 Georgia, serif; color: #1a1a1a; margin: 0.75rem; max-width: 40rem; }
h1 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 0.5rem; }
.standfirst { font-size: 1.05rem; color: #333; }
img { max-width: 100%; height: auto; }
.notice { border: 1px solid #8a6d00; background: #fff8e1; padding: 0.5rem 0.75rem; font-family: system-ui, sans-serif; }
.paid-part { border: 2px dashed #6a1b9a; padding: 0 0.75rem 0.5rem; margin-top: 1rem; }
.paid-label { font: bold 0.8rem system-ui, sans-serif; color: #fff; background: #6a1b9a; display: inline-block;
  padding: 0.15rem 0.5rem; margin: -0.6rem 0 0.25rem; text-transform: uppercase; letter-spacing: 0.03em; }
`;

interface PreviewProps {
  title: string;
  summary: string;
  tier: Tier;
  preview: ReportPreview;
}

/** The report page as a free reader gets it: the public part and, for a cut report, the subscriber notice. */
export function freePageHtml(props: PreviewProps): string {
  const cut = props.tier === 'subscriber' && props.preview.cut !== 'none';
  return documentHtml(
    `${props.title} (free reader)`,
    PAGE_STYLES,
    <article>
      <h1>{props.title}</h1>
      <p class="standfirst">{props.summary}</p>
      <div data-fill="public" />
      {cut && <p class="notice">{SUBSCRIBER_NOTICE}</p>}
    </article>,
    { public: props.preview.publicHtml },
  );
}

/** The report page as a paid reader gets it, with the subscriber-only part framed and labelled. */
export function paidPageHtml(props: PreviewProps): string {
  const cut = props.tier === 'subscriber' && props.preview.cut !== 'none';
  return documentHtml(
    `${props.title} (paid reader)`,
    PAGE_STYLES,
    <article>
      <h1>{props.title}</h1>
      <p class="standfirst">{props.summary}</p>
      <div data-fill="public" />
      {cut && (
        <section class="paid-part" aria-label="Subscriber-only part">
          <p class="paid-label">Subscribers only from here</p>
          <div data-fill="subscriber" />
        </section>
      )}
    </article>,
    { public: props.preview.publicHtml, subscriber: props.preview.subscriberHtml },
  );
}

const CUT_LABELS: Record<ReportPreview['cut'], string> = {
  marker: 'at the paywall marker',
  'first-two-paragraphs': 'after the first two paragraphs (no marker)',
  none: 'none: the whole report is public',
};

export type PreviewView = 'page' | 'feed' | 'email';

const VIEWS: readonly Tab<PreviewView>[] = [
  { key: 'page', label: 'Page' },
  { key: 'feed', label: 'Feed item' },
  { key: 'email', label: 'Email' },
];

const TIERS: readonly ReaderTier[] = ['free', 'paid'];
const READER: Record<ReaderTier, string> = { free: 'Free reader', paid: 'Paid reader' };

/** The feed item's body as a feed reader shows it, under the item's title. */
function feedItemHtml(props: PreviewProps, tier: ReaderTier): string {
  const page = documentHtml(
    `${props.title} (feed item, ${tier} reader)`,
    PAGE_STYLES,
    <article>
      <h1>{props.title}</h1>
      <div data-fill="content" />
    </article>,
    { content: props.preview.feedItem[tier].contentHtml },
  );
  return markSubscriberOnly(page, props.preview);
}

/**
 * The server's cut of the draft, and what a free and a paid reader get side by side, in three views: the report
 * page, the feed item (as rendered, and its RSS XML) and the email block (a one-report digest edition).
 */
export function ReportPreviewPane(
  props: PreviewProps & {
    view: PreviewView;
    onView: (view: PreviewView) => void;
    mail?: ReportMailPreview;
    mailError?: unknown;
  },
) {
  const { preview, view } = props;
  return (
    <div class="report-preview">
      <p class="cut-summary">
        Cut {CUT_LABELS[preview.cut]} · public {preview.parts.public.words} words · subscribers only{' '}
        {preview.parts.subscriber.words} words
      </p>
      {preview.warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings">
          {preview.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <TabList label="What each reader gets" idPrefix="preview" tabs={VIEWS} selected={view} onSelect={props.onView} />
      <div role="tabpanel" id="preview-panel" aria-labelledby={`preview-tab-${view}`} class="tab-panel">
        {view === 'page' && (
          <div class="side-by-side">
            <figure>
              <figcaption>Free reader</figcaption>
              <SandboxedFrame title="The report page as a free reader sees it" srcdoc={freePageHtml(props)} />
            </figure>
            <figure>
              <figcaption>Paid reader</figcaption>
              <SandboxedFrame title="The report page as a paid reader sees it" srcdoc={paidPageHtml(props)} />
            </figure>
          </div>
        )}
        {view === 'feed' && (
          <div class="side-by-side">
            {TIERS.map((tier) => (
              <figure key={tier}>
                <figcaption>
                  {READER[tier]}: {tier === 'free' ? 'the public feeds' : 'their private feed'}
                </figcaption>
                <SandboxedFrame
                  class="frame frame-short"
                  title={`The feed item as a ${tier} reader’s feed carries it`}
                  srcdoc={feedItemHtml(props, tier)}
                />
                <pre
                  class="raw"
                  role="region"
                  tabIndex={0}
                  aria-label={`The RSS item a ${tier} reader’s feed carries, as XML`}
                >
                  {preview.feedItem[tier].rss}
                </pre>
              </figure>
            ))}
          </div>
        )}
        {view === 'email' && <MailViews {...props} />}
      </div>
    </div>
  );
}

/** The draft as a one-report digest edition per tier; it comes from another route, so it may lag or fail alone. */
function MailViews(props: PreviewProps & { mail?: ReportMailPreview; mailError?: unknown }) {
  const { mail } = props;
  if (props.mailError !== undefined) return <ProblemNotice error={props.mailError} />;
  if (mail === undefined) return <p aria-busy="true">Compiling the email…</p>;
  return (
    <div class="side-by-side">
      {TIERS.map((tier) => (
        <figure key={tier}>
          <figcaption>
            {READER[tier]}: “{mail[tier].subject}”
          </figcaption>
          <SandboxedFrame
            title={`The email as a ${tier} reader gets it`}
            srcdoc={markSubscriberOnly(mail[tier].html, props.preview)}
          />
          <details>
            <summary>Plain-text part</summary>
            <pre class="raw" role="region" tabIndex={0} aria-label={`The plain-text email a ${tier} reader gets`}>
              {mail[tier].text}
            </pre>
          </details>
        </figure>
      ))}
    </div>
  );
}
