import { describe, expect, it } from 'vitest';
import type { CompiledEdition } from '../../lambdas/core/digest/compiled-edition';
import type { EditionContent } from '../../lambdas/core/digest/edition-content';
import {
  compiledEditionText,
  EditionPlanner,
  type CompiledEditionsStore,
  type EditionLeakFinding,
  type EditionsRepository,
  type EditionSources,
} from '../../lambdas/core/digest/edition-planner';
import { newEdition, type EditionRecord, type EditionStatus } from '../../lambdas/core/digest/edition';
import { fingerprintSubscriberPart } from '../../lambdas/core/paywall/fingerprints';
import type { Publication } from '../../lambdas/core/shared/publication';
import { compileEdition } from '../../lambdas/render/digest-renderer';
import {
  complimentaryRecord,
  publication,
  SECRET_PARAGRAPH,
  subscriberPaidPart,
  subscriberRecord,
} from '../fixtures/digest-edition';

/** Issue 9, finding 5: the free digest passes the same leak scan as every public file before its first send. */
const guarded = { ...subscriberRecord, fingerprints: fingerprintSubscriberPart(SECRET_PARAGRAPH, '') };
const NOW = new Date('2026-11-24T07:00:00.000Z');

class OneEdition implements Pick<EditionsRepository, 'head' | 'getEdition' | 'setStatus' | 'markCompiled'> {
  edition: EditionRecord = newEdition({
    id: 'ed-1',
    trigger: 'manual',
    window: { start: '2026-11-01T00:00:00.000Z', end: NOW.toISOString() },
    reportIds: [complimentaryRecord.id, guarded.id],
    now: NOW,
  });
  async head() {
    return undefined;
  }
  async getEdition() {
    return this.edition;
  }
  async markCompiled() {
    this.edition = { ...this.edition, compiledAt: NOW.toISOString() };
  }
  async setStatus(_id: string, from: readonly EditionStatus[], to: EditionStatus, _at: Date, reason?: string) {
    if (!from.includes(this.edition.status)) return undefined;
    this.edition = { ...this.edition, status: to, ...(reason ? { reason } : {}) };
    return this.edition;
  }
}

const sources: EditionSources = {
  inWindow: async () => [complimentaryRecord, guarded],
  earliestUnlistedPublication: async () => undefined,
  paidPart: async () => subscriberPaidPart,
  reportsByIds: async () => [complimentaryRecord, guarded],
};

/** A renderer bug: the block of the complimentary report carries the subscriber report's paid paragraph. */
const leakIntoBlock = async (content: EditionContent, pub: Publication): Promise<CompiledEdition> =>
  compileEdition(
    {
      ...content,
      complimentary: content.complimentary.map((view) =>
        view.bodyHtml.includes('Operators now publish')
          ? { ...view, bodyHtml: `${view.bodyHtml}<p>${SECRET_PARAGRAPH}</p>` }
          : view,
      ),
    },
    pub,
  );

/** A renderer bug in the frame: every free edition carries the paid paragraph after its reports. */
const leakIntoFrame = async (content: EditionContent, pub: Publication): Promise<CompiledEdition> => {
  const compiled = await compileEdition(content, pub);
  if (content.tier === 'paid') return compiled;
  return { ...compiled, preheader: `${compiled.preheader} ${SECRET_PARAGRAPH}` };
};

function planner(compile: typeof compileEdition, findings: EditionLeakFinding[], stored: CompiledEdition[] = []) {
  const editions = new OneEdition();
  const store: CompiledEditionsStore = { put: async (_ref, compiled) => void stored.push(compiled) };
  return {
    editions,
    planner: new EditionPlanner(
      editions as unknown as EditionsRepository,
      sources,
      store,
      compile,
      publication,
      (finding) => findings.push(finding),
    ),
  };
}

describe('the free digest leak scan', () => {
  it('stubs the block that carries paid text; the rest of the edition and the paid edition are untouched', async () => {
    const findings: EditionLeakFinding[] = [];
    const preview = await planner(leakIntoBlock, findings).planner.preview('free', NOW);
    expect(preview?.html).not.toContain('substation log for night 14');
    expect(preview?.text).not.toContain('substation log for night 14');
    expect(preview?.html).toContain('Outage logs go public in three regions');
    expect(preview?.html).toContain('The filings arrived on a Friday.');
    expect(findings).toEqual([
      { editionId: expect.any(String), reportIds: [guarded.id], stubbed: [complimentaryRecord.id], action: 'stubbed' },
    ]);
    const paid = await planner(leakIntoBlock, []).planner.preview('paid', NOW);
    expect(paid?.html).toContain('substation log for night 14');
  });

  it('pauses the edition with a reason, before anything is stored or sent, when no stub can remove the leak', async () => {
    const findings: EditionLeakFinding[] = [];
    const stored: CompiledEdition[] = [];
    const { planner: frameLeaker, editions } = planner(leakIntoFrame, findings, stored);
    const fanOut = {
      recipients: { activePage: async () => ({ readers: [{ email: 'reader@example.org' }] }), readers: async () => [] },
      mailQueue: { sendAll: async () => expect.unreachable('no mail may be queued') },
    };
    const result = await frameLeaker.plan('ed-1', fanOut, () => NOW);
    expect(result?.status).toBe('paused');
    expect(editions.edition.reason).toMatch(/leak scan/);
    expect(stored).toEqual([]);
    expect(findings[0]).toMatchObject({ reportIds: [guarded.id], action: 'paused' });
  });

  it('scans subject, preheader, HTML and text', () => {
    const text = compiledEditionText({
      format: 'dispatch.compiled-edition.v1',
      editionId: 'e',
      tier: 'free',
      subject: 'S1',
      preheader: 'P1',
      reportIds: [],
      html: { parts: ['H1'], slots: [] },
      text: { parts: ['T1'], slots: [] },
    });
    expect(text.split('\n')).toEqual(['S1', 'P1', 'H1', 'T1']);
  });
});
