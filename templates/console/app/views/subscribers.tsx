import { useEffect, useState } from 'preact/hooks';
import type { ApiClient, ReaderTier, Subscriber } from '../api';
import { SETTINGS } from '../settings';
import { importRows, readSubscriberFile, type ImportProgress, type RejectedRow } from '../subscriber-import';
import { formatDate, Notice, ProblemNotice, problemText } from '../ui';

const PAGE_SIZE = 50;

/** Subscribers (admin): search by address prefix, add one, change a tier or the series, import a CSV. */
export function SubscribersView(props: { api: ApiClient }) {
  const { api } = props;
  return (
    <section aria-labelledby="subscribers-heading">
      <div class="toolbar">
        <h1 id="subscribers-heading">Subscribers</h1>
      </div>
      <SubscriberSearch api={api} />
      <AddSubscriber api={api} />
      <ImportSubscribers api={api} />
    </section>
  );
}

function SubscriberSearch(props: { api: ApiClient }) {
  const { api } = props;
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<Subscriber[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const [changed, setChanged] = useState<string>();

  const load = async (q: string, after?: string): Promise<void> => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.listSubscribers({ q, cursor: after, limit: PAGE_SIZE });
      setItems((current) => (after === undefined ? page.items : [...current, ...page.items]));
      setCursor(page.nextCursor ?? undefined);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load('');
  }, [api]);

  const changeTier = async (subscriber: Subscriber, tier: ReaderTier): Promise<void> => {
    setChanged(undefined);
    setError(undefined);
    try {
      await api.putSubscriber(subscriber.email, { tier });
      setItems((current) => current.map((item) => (item.email === subscriber.email ? { ...item, tier } : item)));
      setChanged(`${subscriber.email} is now ${tier}.`);
    } catch (caught) {
      setError(caught);
    }
  };

  // As on the reader's manage page: every series ticked is stored as "every series", so later ones reach them too.
  const changeSeries = async (subscriber: Subscriber, id: string, on: boolean): Promise<void> => {
    setChanged(undefined);
    setError(undefined);
    const current = effectiveSeries(subscriber);
    const chosen = SETTINGS.series
      .map((series) => series.id)
      .filter((each) => (each === id ? on : current.includes(each)));
    const series = chosen.length === SETTINGS.series.length ? null : chosen;
    const show = (value: string[] | null | undefined) =>
      setItems((all) => all.map((item) => (item.email === subscriber.email ? { ...item, series: value } : item)));
    // Shown at once, so the box a person clicked stays as they set it; put back if the API refuses.
    show(series);
    try {
      await api.putSubscriber(subscriber.email, { series });
      setChanged(`${subscriber.email} now receives ${seriesSummary(series)}.`);
    } catch (caught) {
      show(subscriber.series);
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="subscriber-search-heading" class="panel">
      <h2 id="subscriber-search-heading">Find subscribers</h2>
      <form
        class="inline-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void load(query.trim());
        }}
      >
        <label for="subscriber-q">Address starts with</label>
        <input id="subscriber-q" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit" disabled={loading}>
          Search
        </button>
      </form>
      {error !== undefined && <ProblemNotice error={error} />}
      {changed !== undefined && <Notice kind="ok">{changed}</Notice>}
      <div class="table-wrap">
        <table aria-busy={loading}>
          <caption class="visually-hidden">Subscribers</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Series</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {items.map((subscriber) => (
              <tr key={subscriber.email}>
                <td class="address">{subscriber.email}</td>
                <td>
                  <select
                    aria-label={`Tier of ${subscriber.email}`}
                    value={subscriber.tier}
                    onChange={(e) => void changeTier(subscriber, e.currentTarget.value === 'paid' ? 'paid' : 'free')}
                  >
                    <option value="free">free</option>
                    <option value="paid">paid</option>
                  </select>
                </td>
                <td>{subscriber.status}</td>
                <td>
                  {SETTINGS.series.map((series) => (
                    <label key={series.id} class="series-choice">
                      <input
                        type="checkbox"
                        aria-label={`${series.name} for ${subscriber.email}`}
                        checked={effectiveSeries(subscriber).includes(series.id)}
                        onChange={(e) => void changeSeries(subscriber, series.id, e.currentTarget.checked)}
                      />{' '}
                      {series.name}
                    </label>
                  ))}
                  <span class="hint">{seriesSummary(subscriber.series)}</span>
                </td>
                <td>{formatDate(subscriber.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && items.length === 0 && error === undefined && <p>No subscriber matches.</p>}
      {cursor !== undefined && (
        <button type="button" disabled={loading} onClick={() => void load(query.trim(), cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

/** The series a reader receives: absent or null means every configured one. */
function effectiveSeries(subscriber: Subscriber): string[] {
  const ids = SETTINGS.series.map((series) => series.id);
  return subscriber.series == null ? ids : ids.filter((id) => subscriber.series?.includes(id));
}

function seriesSummary(series: readonly string[] | null | undefined): string {
  if (series == null) return 'every series, new ones too';
  if (series.length === 0) return 'no series (no digest)';
  const names = SETTINGS.series.filter(({ id }) => series.includes(id)).map(({ name }) => name);
  return names.join(', ');
}

function AddSubscriber(props: { api: ApiClient }) {
  const [email, setEmail] = useState('');
  const [tier, setTier] = useState<ReaderTier>('free');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();

  return (
    <section aria-labelledby="add-subscriber-heading" class="panel">
      <h2 id="add-subscriber-heading">Add a subscriber</h2>
      <p class="hint">
        Added as active, without a confirmation mail (as <code>dispatch subscribers add</code>).
      </p>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setDone(undefined);
          setError(undefined);
          props.api
            .putSubscriber(email.trim(), { tier, status: 'active' })
            .then(() => {
              setDone(`${email.trim()} is an active ${tier} subscriber.`);
              setEmail('');
            })
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      >
        <label for="add-email">Address</label>
        <input id="add-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="add-tier">Tier</label>
        <select
          id="add-tier"
          value={tier}
          onChange={(e) => setTier(e.currentTarget.value === 'paid' ? 'paid' : 'free')}
        >
          <option value="free">free</option>
          <option value="paid">paid</option>
        </select>
        <button type="submit" class="primary" disabled={busy}>
          Add
        </button>
      </form>
      {done !== undefined && <Notice kind="ok">{done}</Notice>}
      {error !== undefined && <ProblemNotice error={error} />}
    </section>
  );
}

function ImportSubscribers(props: { api: ApiClient }) {
  const [file, setFile] = useState<File>();
  const [total, setTotal] = useState(0);
  const [progress, setProgress] = useState<ImportProgress>();
  const [readRejected, setReadRejected] = useState<RejectedRow[]>([]);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [finished, setFinished] = useState(false);

  const start = async (): Promise<void> => {
    if (file === undefined) {
      setProblem('Choose a CSV file first');
      return;
    }
    setRunning(true);
    setProblem(undefined);
    setFinished(false);
    setProgress(undefined);
    try {
      const { rows, rejected } = await readSubscriberFile(
        await file.text(),
        SETTINGS.series.map((series) => series.id),
      );
      setReadRejected(rejected);
      setTotal(rows.length);
      setProgress({ done: 0, imported: 0, rejected: [] });
      await importRows(props.api, rows, setProgress);
      setFinished(true);
    } catch (caught) {
      setProblem(`${file.name}: ${problemText(caught)}`);
    } finally {
      setRunning(false);
    }
  };

  const rejected = [...readRejected, ...(progress?.rejected ?? [])].sort((a, b) => a.line - b.line);
  return (
    <section aria-labelledby="import-heading" class="panel">
      <h2 id="import-heading">Import a CSV</h2>
      <p class="hint">
        A header row naming <code>email</code> and optionally <code>tier</code> (free or paid, default free) and{' '}
        <code>status</code> (active or unsubscribed, default active) and <code>series</code> (ids separated by{' '}
        <code>;</code>, empty for every series), read by the same rules as <code>dispatch subscribers import</code>.
        Importing the same file again is safe.
      </p>
      <div class="inline-form">
        <label for="import-file">CSV file</label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => setFile(e.currentTarget.files?.[0])}
        />
        <button type="button" class="primary" disabled={running} onClick={() => void start()}>
          Import
        </button>
      </div>
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {progress !== undefined && (
        <div class="import-progress">
          <label for="import-bar">
            Imported {progress.imported} of {total}
          </label>
          <progress id="import-bar" max={Math.max(total, 1)} value={progress.done} />
        </div>
      )}
      {finished && progress !== undefined && (
        <Notice kind={rejected.length > 0 ? 'error' : 'ok'}>
          Imported {progress.imported}, rejected {rejected.length}.
        </Notice>
      )}
      {rejected.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>Rejected rows</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Row</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((row) => (
                <tr key={`${row.line}-${row.value}`}>
                  <td>{row.line}</td>
                  <td>{row.value || '(empty)'}</td>
                  <td>{row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
