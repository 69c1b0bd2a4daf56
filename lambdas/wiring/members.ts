import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { reportsTable, signUpQueue, subscribersTable, vaultBucket } from '../adapters/data-model';
import { VaultMemberContent } from '../adapters/member-content';
import { JsonQueue, sqsClient } from '../adapters/queue';
import { ReportsStore } from '../adapters/reports-store';
import { SubscribersStore } from '../adapters/subscribers-store';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { loadTokenSecret } from '../adapters/token-secret';
import { loadPublication, requireEnv, tableName } from '../config';
import { MemberReading } from '../core/members/member-reading';
import { MemberSessions } from '../core/members/member-sessions';
import { SignInDesk } from '../core/members/sign-in';
import { SubscriberTokens } from '../core/subscribers/subscriber-tokens';

/** The members function's collaborators, built once per execution environment from its configuration. */
export async function membersFromEnv() {
  const publication = loadPublication();
  const subscribers = new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env));
  const reports = new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env));
  return {
    publication,
    // Logins are validated and queued; the sign-up worker decides and mails, so this function sends no mail.
    desk: new SignInDesk(new JsonQueue(sqsClient(), requireEnv(signUpQueue.env))),
    sessions: new MemberSessions(subscribers, new SubscriberTokens(await loadTokenSecret())),
    reading: new MemberReading(
      new VaultMemberContent(reports, s3Client(), requireEnv(vaultBucket.env)),
      publication,
      (reportIds) => {
        // Ids only: never the text that was found.
        logger.error('Member preview withheld: its page frame carries subscriber-only text', { reportIds });
        emitMetric('LeakBlocked');
      },
    ),
  };
}
