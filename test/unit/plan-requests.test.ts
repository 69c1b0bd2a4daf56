import { describe, expect, it } from 'vitest';
import type { CreateOutcome, FanOut } from '../../lambdas/core/digest/edition-planner';
import { newEdition, type EditionRecord } from '../../lambdas/core/digest/edition';
import { handlePlanRequest, type PlanRequestPlanner } from '../../lambdas/core/digest/plan-requests';
import { planMessageSchema } from '../../lambdas/core/digest/queue-messages';

const NOW = new Date('2026-11-30T08:00:00.000Z');
const window = { start: '2026-11-23T08:00:00.000Z', end: '2026-11-30T08:00:00.000Z' };
const edition: EditionRecord = newEdition({ id: 'E1', trigger: 'schedule', window, reportIds: ['R1'], now: NOW });
const fanOut: FanOut = {
  recipients: { activePage: async () => ({ readers: [] }), readers: async () => [] },
  mailQueue: { sendAll: async () => undefined },
};

/** Records which planner calls a request made, answering with `created`. */
function planner(created: CreateOutcome) {
  const calls: string[] = [];
  const fake: PlanRequestPlanner = {
    async create(end) {
      calls.push(`create ${end.toISOString()}`);
      return created;
    },
    async plan(editionId) {
      calls.push(`plan ${editionId}`);
      return { ...edition, id: editionId, status: 'sending', recipients: 3 };
    },
    async retryUnknown(editionId) {
      calls.push(`retryUnknown ${editionId}`);
      return { ...edition, id: editionId, status: 'sending' };
    },
    async refreshPages(editionId) {
      calls.push(`refreshPages ${editionId}`);
      return true;
    },
  };
  return { fake, calls };
}

describe('handlePlanRequest', () => {
  it('creates the scheduled window’s edition and plans it', async () => {
    const { fake, calls } = planner({ kind: 'created', edition });
    const outcome = await handlePlanRequest(
      { trigger: 'schedule', scheduledTime: window.end },
      fake,
      fanOut,
      () => NOW,
    );
    expect(calls).toEqual([`create ${window.end}`, 'plan E1']);
    expect(outcome).toMatchObject({ kind: 'planned', editionId: 'E1', created: 'created', edition: { recipients: 3 } });
  });

  it('plans nothing for a scheduled window without new reports', async () => {
    const { fake, calls } = planner({ kind: 'empty', window });
    const outcome = await handlePlanRequest(
      { trigger: 'schedule', scheduledTime: window.end },
      fake,
      fanOut,
      () => NOW,
    );
    expect(calls).toEqual([`create ${window.end}`]);
    expect(outcome).toEqual({ kind: 'window-empty', window });
  });

  it('plans an existing edition the API names', async () => {
    const { fake, calls } = planner({ kind: 'empty', window });
    const outcome = await handlePlanRequest({ editionId: 'E7' }, fake, fanOut, () => NOW);
    expect(calls).toEqual(['plan E7']);
    expect(outcome).toMatchObject({ kind: 'planned', editionId: 'E7' });
    expect(outcome).not.toHaveProperty('created');
  });

  it('queues unknown deliveries again only when asked, without planning', async () => {
    const { fake, calls } = planner({ kind: 'empty', window });
    const outcome = await handlePlanRequest({ editionId: 'E7', retryUnknown: true }, fake, fanOut, () => NOW);
    expect(calls).toEqual(['retryUnknown E7']);
    expect(outcome).toMatchObject({ kind: 'unknown-requeued', editionId: 'E7', edition: { status: 'sending' } });
  });

  it('writes the pages of an edition again when a report of it changed, without planning', async () => {
    const { fake, calls } = planner({ kind: 'empty', window });
    // Parsed as the queue consumer parses it: the flag must survive the schema, or this would plan the edition.
    const message = planMessageSchema.parse({ editionId: 'E7', refreshPages: true });
    const outcome = await handlePlanRequest(message, fake, fanOut, () => NOW);
    expect(calls).toEqual(['refreshPages E7']);
    expect(outcome).toEqual({ kind: 'pages-refreshed', editionId: 'E7', refreshed: true });
  });
});
