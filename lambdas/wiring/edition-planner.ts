import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, reportsTable, siteBucket, vaultBucket } from '../adapters/data-model';
import { DigestsStore } from '../adapters/digests-store';
import { EditionPageBuckets } from '../adapters/edition-page-files';
import { EditionPagesStore } from '../adapters/edition-pages-store';
import { VaultCompiledEditions, VaultEditionSources } from '../adapters/edition-sources';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
import { EditionPagePublisher } from '../core/digest/edition-pages';
import { EditionPlanner } from '../core/digest/edition-planner';
import { compileEdition } from '../render/digest-renderer';

/** The planner as both the digests API and the planner Lambda build it from their environment. */
export function editionPlannerFromEnv(): { planner: EditionPlanner; digests: DigestsStore } {
  const publication = loadPublication();
  const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));
  const digests = new DigestsStore(dynamoDocumentClient(), tableName(digestsTable.env));
  const planner = new EditionPlanner(
    digests,
    new VaultEditionSources(new ReportsStore(dynamoDocumentClient(), tableName(reportsTable.env)), vault),
    new VaultCompiledEditions(vault),
    compileEdition,
    publication,
    (finding) => {
      // Ids only: never the text that was found.
      logger.error('Leak scan found subscriber-only text in a free edition', { ...finding });
      emitMetric('LeakBlocked');
    },
  );
  return { planner, digests };
}

/** The edition pages' publisher: the planner Lambda's alone (the digests API has no grant on the site bucket). */
export function editionPagesFromEnv(): EditionPagePublisher {
  const publication = loadPublication();
  const vault = new Vault(s3Client(), requireEnv(vaultBucket.env));
  return new EditionPagePublisher(
    new EditionPageBuckets(s3Client(), requireEnv(siteBucket.env), vault, publication.pageCacheControl),
    new EditionPagesStore(dynamoDocumentClient(), tableName(digestsTable.env)),
    publication,
    (leak) => {
      // Ids only: never the text that was found.
      logger.error('Leak scan found subscriber-only text in an edition page', { ...leak });
      emitMetric('LeakBlocked');
    },
  );
}
