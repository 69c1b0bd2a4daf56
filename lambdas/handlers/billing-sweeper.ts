import { logger } from '../adapters/logger';
import { observed } from '../adapters/observability';
import type { GraceSweep } from '../core/billing/billing-service';
import { billingFromEnv } from '../wiring/billing';

const billing = billingFromEnv();

export interface BillingSweepEvent {
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`; the sweep's notion of now. */
  scheduledTime?: string;
}

/**
 * On a schedule: a past-due subscription pays until the end of the period it paid for; once that has passed, its
 * reader's tier is recomputed (free unless another subscription pays). Stripe sends no event at that moment.
 */
const handle = async (event: BillingSweepEvent = {}): Promise<GraceSweep> => {
  const counts = await billing.endGracePeriods(sweepTime(event), {
    failed: (entitlement, error) =>
      logger.error('Grace period end failed', {
        subscription: entitlement.key,
        error: error instanceof Error ? error : String(error),
      }),
  });
  if (counts.ended > 0 || counts.failed > 0) logger.info('Grace periods ended', { ...counts });
  return counts;
};

function sweepTime(event: BillingSweepEvent): Date {
  const now = event.scheduledTime ? new Date(event.scheduledTime) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error('scheduledTime is not a date');
  return now;
}

export const handler = observed(handle);
