import type { ReportPreview, Tier } from '../api';
import { documentHtml, SandboxedFrame } from '../ui';

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

/** The server's cut of the draft, and the page side by side for a free and a paid reader. */
export function ReportPreviewPane(props: PreviewProps) {
  const { preview } = props;
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
    </div>
  );
}
