import type { Publication } from '../shared/publication';
import type { ReportRecord } from '../reports/report';
import { renderGuarded, type GuardResult } from '../paywall/leak-guard';
import { publicBoilerplate, stubView } from '../paywall/tiers';
import type { CompiledEdition } from './compiled-edition';
import { buildEditionContent, editionReports, type EditionContent } from './edition-content';
import { compileWithinBudget } from './clip-rule';

/** The MJML compile (lambdas/render/digest-renderer.ts `compileEdition`), passed in so the core never loads MJML. */
export type Compile = (content: EditionContent, publication: Publication) => Promise<CompiledEdition>;

/** Everything a free reader can see of a compiled edition: subject, preheader, HTML and text parts. */
export function compiledEditionText(compiled: CompiledEdition): string {
  return [compiled.subject, compiled.preheader, ...compiled.html.parts, ...compiled.text.parts].join('\n');
}

/**
 * One tier's edition, compiled as it will be mailed and within the clip rule's budget (clip-rule.ts): reports at the
 * end of a mail too heavy for it are shortened to a link. The paid one compiles as it is. The free one passes the leak
 * guard first, like every public file: a block that carries subscriber-only text becomes a stub (title, summary,
 * subscribe link), and an edition that still leaks after that is `ok: false`, for the caller to stop before any
 * mail goes out. Shared by the planner (real editions and the next-edition preview) and the report preview.
 */
export async function compileForTier(
  content: EditionContent,
  covered: readonly ReportRecord[],
  compile: Compile,
  publication: Publication,
): Promise<GuardResult<CompiledEdition>> {
  const fit: Compile = (edition, pub) => compileWithinBudget(edition, compile, pub);
  if (content.tier === 'paid') {
    return { ok: true, output: await fit(content, publication), stubbed: [], sources: [], hits: 0 };
  }
  return renderGuarded({
    views: editionReports(content),
    covered,
    render: (views) =>
      fit(buildEditionContent({ id: content.id, date: content.date, tier: content.tier, views }), publication),
    text: compiledEditionText,
    stub: stubView,
    boilerplate: publicBoilerplate(publication),
  });
}
