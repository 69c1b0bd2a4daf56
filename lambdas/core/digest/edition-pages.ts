import { renderGuarded } from '../paywall/leak-guard';
import { publicBoilerplate, stubView, type ReportView } from '../paywall/tiers';
import type { ReportRecord } from '../reports/report';
import type { Publication } from '../shared/publication';
import { MEMBER_API_PATHS } from '../members/member-pages';
import { renderEditionPage, renderEditionsIndex, type EditionPageEntry } from '../site/edition-page';
import { editionSubject, type EditionContent } from './edition-content';
import { EDITIONS_INDEX_KEY, editionPageKey } from './edition-page-keys';

export type { EditionPageEntry } from '../site/edition-page';

export { EDITIONS_INDEX_KEY, EDITIONS_SITE_PREFIX, editionPageKey } from './edition-page-keys';

/** The newest editions `/editions/` lists: enough for years of weekly digests, one page to render. */
export const EDITIONS_INDEX_LENGTH = 200;

/** Where the pages go: the public one to the site bucket, the paid one to the vault (the S3 adapters). */
export interface EditionPageFiles {
  putPublic(key: string, html: string): Promise<void>;
  putPaid(editionId: string, html: string): Promise<void>;
}

/** The editions table's record of which editions have a page, for `/editions/`. */
export interface EditionPageIndex {
  recordPage(entry: EditionPageEntry): Promise<void>;
  /** The newest editions with a page, newest first, at most `limit`. */
  latestPages(limit: number): Promise<EditionPageEntry[]>;
}

/** What the leak scan found in an edition page (ids only, never text). */
export interface EditionPageLeak {
  editionId: string;
  artifact: string;
  reportIds: string[];
  stubbed: string[];
  action: 'stubbed' | 'withheld';
}

export interface EditionToPublish {
  free: EditionContent;
  paid: EditionContent;
  /** The table records behind the views: their fingerprints, for the leak guard. */
  reports: readonly ReportRecord[];
}

/**
 * Every edition on the web: when the planner compiles an edition it publishes the free edition as a public page
 * (`/editions/{id}/`, through the leak guard like every public file: a leaking report becomes a stub, a page whose
 * frame leaks is not written), the paid edition into the vault (served to signed-in paid readers at
 * `/members/editions/{id}/`), and `/editions/` again. Writes are plain overwrites of content derived from the same
 * edition, so a re-plan writes the same pages.
 */
export class EditionPagePublisher {
  constructor(
    private readonly files: EditionPageFiles,
    private readonly index: EditionPageIndex,
    private readonly publication: Publication,
    private readonly onLeak: (leak: EditionPageLeak) => void,
  ) {}

  async publish(edition: EditionToPublish): Promise<void> {
    const { free, paid, reports } = edition;
    // Every report of it unpublished since: the page stays (mails link to it) and says so.
    const subject =
      viewsOf(free).length > 0
        ? editionSubject(free, this.publication)
        : `${this.publication.name} — the reports of this edition were withdrawn`;
    const page = (content: EditionContent, views: readonly ReportView[], signOutPath?: string): string =>
      renderEditionPage(
        {
          id: content.id,
          date: content.date,
          tier: content.tier,
          subject,
          views,
          ...(signOutPath ? { signOutPath } : {}),
        },
        this.publication,
      );

    await this.files.putPaid(paid.id, page(paid, viewsOf(paid), MEMBER_API_PATHS.logout));

    const key = editionPageKey(free.id);
    const guarded = await renderGuarded({
      views: viewsOf(free),
      covered: reports,
      render: (views) => page(free, views),
      text: (html) => html,
      stub: stubView,
      renderFrame: () => page(free, []),
      boilerplate: publicBoilerplate(this.publication),
    });
    const found = { editionId: free.id, artifact: key, reportIds: guarded.sources };
    if (!guarded.ok) {
      this.onLeak({ ...found, stubbed: [], action: 'withheld' });
      return;
    }
    if (guarded.hits > 0) this.onLeak({ ...found, stubbed: guarded.stubbed, action: 'stubbed' });
    await this.files.putPublic(key, guarded.output);
    await this.index.recordPage({ id: free.id, date: free.date.toISOString(), subject });
    await this.writeIndex(free.id, reports);
  }

  /**
   * `/editions/`: subjects and dates only, built from titles, which are public. It is a public file all the same,
   * so it is scanned for this edition's paid text before it is written.
   */
  private async writeIndex(editionId: string, reports: readonly ReportRecord[]): Promise<void> {
    const html = renderEditionsIndex(await this.index.latestPages(EDITIONS_INDEX_LENGTH), this.publication);
    const guarded = await renderGuarded<ReportView, string>({
      views: [],
      covered: reports,
      render: () => html,
      text: (body) => body,
      stub: (view) => view,
      boilerplate: publicBoilerplate(this.publication),
    });
    if (!guarded.ok) {
      this.onLeak({
        editionId,
        artifact: EDITIONS_INDEX_KEY,
        reportIds: guarded.sources,
        stubbed: [],
        action: 'withheld',
      });
      return;
    }
    await this.files.putPublic(EDITIONS_INDEX_KEY, guarded.output);
  }
}

function viewsOf(content: EditionContent): ReportView[] {
  return [...content.complimentary, ...content.subscriberOnly];
}
