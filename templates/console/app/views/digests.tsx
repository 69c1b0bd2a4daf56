import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  type ApiClient,
  type DigestPreview,
  type Edition,
  type EditionControl,
  type ReaderTier,
  type ReportLine,
} from '../api';
import { ConfirmButton, formatDate, Notice, ProblemNotice, SandboxedFrame } from '../ui';

/** While an edition is planning or sending its progress is read this often (the brief's live progress). */
export const POLL_MS = 2_000;
const ACTIVE: readonly Edition['status'][] = ['planning', 'sending'];
const TIERS: readonly ReaderTier[] = ['free', 'paid'];

/**
 * Digests (admin): the next edition as each tier gets it (sandboxed frames, no scripts), a test send to one
 * address, sending it, and the progress of an edition with pause, resume and cancel.
 */
export function DigestsView(props: { api: ApiClient }) {
  const { api } = props;
  const [following, setFollowing] = useState<Edition>();
  return (
    <section aria-labelledby="digests-heading">
      <div class="toolbar">
        <h1 id="digests-heading">Digests</h1>
      </div>
      <NextEdition api={api} onSent={setFollowing} />
      {following !== undefined && <EditionProgress api={api} edition={following} onChange={setFollowing} />}
      <RecentEditions api={api} following={following} onFollow={setFollowing} />
    </section>
  );
}

function NextEdition(props: { api: ApiClient; onSent: (edition: Edition) => void }) {
  const { api } = props;
  const [previews, setPreviews] = useState<Partial<Record<ReaderTier, DigestPreview>>>({});
  const [reports, setReports] = useState<ReportLine[]>([]);
  const [empty, setEmpty] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [sendError, setSendError] = useState<unknown>();

  const load = async (): Promise<void> => {
    setError(undefined);
    setEmpty(undefined);
    try {
      const [free, paid] = await Promise.all(TIERS.map((tier) => api.previewDigest(tier)));
      setPreviews({ free, paid });
      if (free !== undefined) setReports(await reportsInWindow(api, free.window));
    } catch (caught) {
      setPreviews({});
      if (caught instanceof ApiError && caught.code === 'nothing_to_preview') setEmpty(caught.message);
      else setError(caught);
    }
  };
  useEffect(() => {
    void load();
  }, [api]);

  const send = async (): Promise<void> => {
    setSendError(undefined);
    try {
      props.onSent(await api.sendDigest());
      await load();
    } catch (caught) {
      setSendError(caught);
    }
  };

  const editionWindow = previews.free?.window;
  return (
    <section aria-labelledby="next-edition-heading" class="panel">
      <h2 id="next-edition-heading">Next edition</h2>
      {empty !== undefined && <Notice kind="info">{empty}</Notice>}
      {error !== undefined && <ProblemNotice error={error} />}
      {editionWindow !== undefined && (
        <>
          <p>
            Reports that went live from {formatDate(windowInstant(editionWindow.start))} to{' '}
            {formatDate(windowInstant(editionWindow.end))}:
          </p>
          <ul class="edition-reports">
            {reports.map((report) => (
              <li key={report.id}>
                <a href={`#/reports/${report.id}`}>{report.title}</a> ({report.tier})
              </li>
            ))}
          </ul>
          <div class="side-by-side">
            {TIERS.map((tier) => {
              const preview = previews[tier];
              return preview === undefined ? null : (
                <figure key={tier}>
                  <figcaption>
                    {tier === 'free' ? 'Free readers' : 'Paid readers'}: “{preview.subject}”
                  </figcaption>
                  <ShortenedList reports={preview.shortenedReports} />
                  <SandboxedFrame title={`The digest email as ${tier} readers get it`} srcdoc={preview.html} />
                </figure>
              );
            })}
          </div>
          <TestSend api={api} />
          <div class="actions">
            <ConfirmButton
              label="Send this edition to every subscriber"
              confirmLabel="Confirm: send now"
              onConfirm={() => void send()}
            />
          </div>
          {sendError !== undefined && <ProblemNotice error={sendError} />}
        </>
      )}
    </section>
  );
}

function TestSend(props: { api: ApiClient }) {
  const [email, setEmail] = useState('');
  const [tier, setTier] = useState<ReaderTier>('paid');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string>();
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="inline-form test-send"
      aria-labelledby="test-send-heading"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setSent(undefined);
        setError(undefined);
        props.api
          .testDigest(email.trim(), tier)
          .then((answer) => setSent(`Sent “${answer.subject}” to ${email.trim()} as a ${answer.tier} reader.`))
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <h3 id="test-send-heading">Test send to one address</h3>
      <label for="test-email">Address</label>
      <input id="test-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <label for="test-tier">As a</label>
      <select id="test-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value === 'free' ? 'free' : 'paid')}>
        <option value="paid">paid reader</option>
        <option value="free">free reader</option>
      </select>
      <button type="submit" disabled={busy}>
        Send test
      </button>
      {sent !== undefined && <Notice kind="ok">{sent}</Notice>}
      {error !== undefined && <ProblemNotice error={error} />}
    </form>
  );
}

/** One edition's progress, read every {@link POLL_MS} while it plans or sends, with the controls its state allows. */
function EditionProgress(props: { api: ApiClient; edition: Edition; onChange: (edition: Edition) => void }) {
  const { api, edition, onChange } = props;
  const [error, setError] = useState<unknown>();
  const active = ACTIVE.includes(edition.status);

  useEffect(() => {
    if (!active) return undefined;
    let stopped = false;
    const timer = setTimeout(() => {
      api.getEdition(edition.id).then(
        (next) => {
          if (!stopped) onChange(next);
        },
        (caught: unknown) => {
          if (!stopped) setError(caught);
        },
      );
    }, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, edition, active]);

  const control = async (action: EditionControl): Promise<void> => {
    setError(undefined);
    try {
      onChange(await api.controlEdition(edition.id, action));
    } catch (caught) {
      setError(caught);
    }
  };

  const recipients = edition.recipients ?? 0;
  const noSeries = edition.noSeries ?? 0;
  const processed = edition.sent + edition.failed + edition.suppressed + edition.unknown + noSeries;
  return (
    <section aria-labelledby="progress-heading" class="panel">
      <h2 id="progress-heading">Edition {edition.id}</h2>
      <p role="status">
        <strong class={`edition-status edition-${edition.status}`}>{edition.status}</strong>
        {edition.reason !== undefined ? ` — ${edition.reason}` : ''}
      </p>
      <label for="edition-bar">
        {processed} of {recipients || '…'} readers handled
      </label>
      <progress id="edition-bar" max={Math.max(recipients, 1)} value={processed} />
      <p class="counters">
        sent {edition.sent} · failed {edition.failed} · suppressed {edition.suppressed} · unknown {edition.unknown} · no
        series {noSeries}
        {edition.remaining !== undefined ? ` · remaining ${edition.remaining}` : ''} · {edition.reports} report
        {edition.reports === 1 ? '' : 's'}
      </p>
      <div class="actions">
        {active && (
          <button type="button" onClick={() => void control('pause')}>
            Pause
          </button>
        )}
        {edition.status === 'paused' && (
          <button type="button" class="primary" onClick={() => void control('resume')}>
            Resume
          </button>
        )}
        {(active || edition.status === 'paused') && (
          <ConfirmButton
            label="Cancel"
            confirmLabel="Confirm: cancel the rest"
            danger
            onConfirm={() => void control('cancel')}
          />
        )}
      </div>
      {error !== undefined && <ProblemNotice error={error} />}
    </section>
  );
}

function RecentEditions(props: { api: ApiClient; following?: Edition; onFollow: (edition: Edition) => void }) {
  const { api, following } = props;
  const [editions, setEditions] = useState<Edition[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api.listEditions({ limit: 10 }).then(
      (page) => setEditions(page.items),
      (caught: unknown) => setError(caught),
    );
  }, [api, following?.id, following?.status]);
  return (
    <section aria-labelledby="recent-heading" class="panel">
      <h2 id="recent-heading">Recent editions</h2>
      {error !== undefined && <ProblemNotice error={error} />}
      {editions.length === 0 && error === undefined && <p>No edition has been sent yet.</p>}
      {editions.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Recent editions</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Reports</th>
                <th scope="col">Sent</th>
                <th scope="col">
                  <span class="visually-hidden">Follow</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {editions.map((edition) => (
                <tr key={edition.id}>
                  <td>{formatDate(edition.createdAt)}</td>
                  <td>{edition.status}</td>
                  <td>{edition.reports}</td>
                  <td>
                    {edition.sent}
                    {edition.recipients !== undefined ? ` of ${edition.recipients}` : ''}
                  </td>
                  <td>
                    <button type="button" onClick={() => props.onFollow(edition)}>
                      Show progress
                      <span class="visually-hidden"> of the edition started {formatDate(edition.createdAt)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A window bound is an instant, or a listing key (`<go-live>#<id>~`) whose instant is its first part. */
export function windowInstant(bound: string): string {
  return bound.split('#')[0] ?? bound;
}

/**
 * The reports the next edition covers, from the editors' report list: the live ones whose go-live falls inside
 * the window (the first page of the list; an edition holds at most `digest.maxReports`). The preview route
 * answers the window but not the report ids; the emails below list the same reports.
 */
async function reportsInWindow(api: ApiClient, window: { start: string; end: string }): Promise<ReportLine[]> {
  const start = Date.parse(windowInstant(window.start));
  const end = Date.parse(windowInstant(window.end));
  const page = await api.listReports({ limit: 100 });
  return page.items
    .filter((report) => report.state === 'live')
    .filter((report) => {
      const at = Date.parse(report.publishAt);
      return at > start && at <= end;
    })
    .sort((a, b) => a.publishAt.localeCompare(b.publishAt));
}

/**
 * The clip rule at work: a mail must stay within 90 KB (Gmail clips past ~102 KB), so the last reports of a heavy
 * edition go out as title, summary and a link. The editor sees which before sending.
 */
function ShortenedList(props: { reports: readonly { id: string; title: string }[] }) {
  if (props.reports.length === 0) return null;
  return (
    <div class="notice" role="note">
      <p>
        Shortened to a link to keep this mail under 90 KB ({props.reports.length}{' '}
        {props.reports.length === 1 ? 'report' : 'reports'}):
      </p>
      <ul class="shortened-reports">
        {props.reports.map((report) => (
          <li key={report.id}>
            <a href={`#/reports/${report.id}`}>{report.title}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
