/**
 * Site bucket keys of the edition pages. The planner may write under `editions/` and nowhere else of the site
 * (its IAM grant is built from this prefix), so the keys live apart from the renderer for the infra to import.
 */
export const EDITIONS_SITE_PREFIX = 'editions/';
export const EDITIONS_INDEX_KEY = `${EDITIONS_SITE_PREFIX}index.html`;
export const editionPageKey = (editionId: string): string => `${EDITIONS_SITE_PREFIX}${editionId}/index.html`;
