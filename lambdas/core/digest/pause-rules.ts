import type { EditionRecord } from './edition';

/**
 * Pausing: SES reviews accounts above 5 % bounces or 0.1 % complaints, so an edition crossing either stops.
 * Rates are of mails sent so far, judged only from 200 sent mails on (a handful of early bounces in a small
 * list says little), and a single complaint never pauses on its own.
 */
export const PAUSE_RULES = { bounceRate: 0.05, complaintRate: 0.001, minSample: 200, minComplaints: 2 } as const;

export function pauseReason(edition: Pick<EditionRecord, 'sent' | 'bounced' | 'complained'>): string | undefined {
  if (edition.sent < PAUSE_RULES.minSample) return undefined;
  const bounceRate = edition.bounced / edition.sent;
  const complaintRate = edition.complained / edition.sent;
  if (bounceRate > PAUSE_RULES.bounceRate) {
    return `bounce rate ${(bounceRate * 100).toFixed(1)} % (${edition.bounced} of ${edition.sent}) is above 5 %`;
  }
  if (edition.complained >= PAUSE_RULES.minComplaints && complaintRate > PAUSE_RULES.complaintRate) {
    return `complaint rate ${(complaintRate * 100).toFixed(2)} % (${edition.complained} of ${edition.sent}) is above 0.1 %`;
  }
  return undefined;
}
