import { planQueue } from '../adapters/data-model';
import { SesMailer, sesClient } from '../adapters/mailer';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { loadPublication, requireEnv } from '../config';
import { EditionControl } from '../core/digest/edition-control';
import { previewReportMail } from '../core/digest/report-mail-preview';
import { compileEdition } from '../render/digest-renderer';
import { editionPlannerFromEnv } from './edition-planner';

/** The digests API's collaborators, built once per execution environment from its configuration. */
export function digestsApiFromEnv() {
  const { planner, digests } = editionPlannerFromEnv();
  const plans = new JsonQueue(sqsClient(), requireEnv(planQueue.env));
  const publication = loadPublication();
  // Test sends only: one mail per request, paced and retried like a confirmation mail.
  const testMailer = new SesMailer(sesClient(), {
    fromAddress: publication.senderAddress,
    configurationSetName: requireEnv('SES_CONFIGURATION_SET'),
    ratePerSecond: publication.sendRatePerSecond,
  });
  return {
    planner,
    digests,
    plans,
    control: new EditionControl(digests, plans),
    testMailer,
    maxBodyBytes: publication.maxBodyBytes,
    // `POST /api/digests/preview-report`: an unsaved report's email block, compiled as the planner compiles editions.
    previewReport: (raw: Record<string, unknown>, now: Date) =>
      previewReportMail(raw, compileEdition, publication, now),
  };
}
