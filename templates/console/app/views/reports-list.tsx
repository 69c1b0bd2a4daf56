import { useEffect, useState } from 'preact/hooks';
import type { ApiClient, ReportLine } from '../api';
import { matchesSearch, reportStatus, STATUS_LABELS } from '../report-status';
import { formatDate, ProblemNotice } from '../ui';

const PAGE_SIZE = 50;

/**
 * Every report, newest first, a page at a time. Search runs in the browser over the pages loaded so far (the API
 * has no search route); the hint under the field says how many that is.
 */
export function ReportsList(props: { api: ApiClient }) {
  const { api } = props;
  const [lines, setLines] = useState<ReportLine[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [search, setSearch] = useState('');

  const load = async (after?: string): Promise<void> => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.listReports({ limit: PAGE_SIZE, cursor: after });
      setLines((current) => (after === undefined ? page.items : [...current, ...page.items]));
      setCursor(page.nextCursor ?? undefined);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [api]);

  const now = new Date();
  const shown = lines.filter((line) => matchesSearch(line, search));
  return (
    <section aria-labelledby="reports-heading">
      <div class="toolbar">
        <h1 id="reports-heading">Reports</h1>
        <a class="button primary" href="#/reports/new">
          New report
        </a>
      </div>
      <div class="search">
        <label for="report-search">Search by title or tag</label>
        <input
          id="report-search"
          type="search"
          value={search}
          onInput={(event) => setSearch(event.currentTarget.value)}
          aria-describedby="report-search-hint"
        />
        <p id="report-search-hint" class="hint">
          Searches the {lines.length} report{lines.length === 1 ? '' : 's'} loaded
          {cursor !== undefined ? '; load more to search older ones' : ''}.
        </p>
      </div>
      {error !== undefined && <ProblemNotice error={error} />}
      <ul class="report-list" aria-busy={loading}>
        {shown.map((line) => {
          const status = reportStatus(line, now);
          return (
            <li key={line.id} class="report-line">
              <a class="report-title" href={`#/reports/${line.id}`}>
                {line.title}
              </a>
              <span class={`status status-${status}`}>{STATUS_LABELS[status]}</span>
              <span class="meta">
                {line.tier === 'subscriber' ? 'Subscribers' : 'Complimentary'} · {line.series} · go-live{' '}
                {formatDate(line.publishAt)} · r{line.revision}
                {line.freeAt !== undefined ? ` · free from ${formatDate(line.freeAt)}` : ''}
              </span>
              {line.tags.length > 0 && <span class="tags">{line.tags.join(', ')}</span>}
            </li>
          );
        })}
      </ul>
      {!loading && shown.length === 0 && <p>{lines.length === 0 ? 'No reports yet.' : 'No loaded report matches.'}</p>}
      {cursor !== undefined && (
        <button type="button" disabled={loading} onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
