import { dynamoDocumentClient, s3Client } from '../adapters/clients';
import { digestsTable, reportsTable, vaultBucket } from '../adapters/data-model';
import { DigestsStore } from '../adapters/digests-store';
import { VaultCompiledEditions, VaultEditionSources } from '../adapters/edition-sources';
import { logger } from '../adapters/logger';
import { emitMetric } from '../adapters/metrics';
import { ReportsStore } from '../adapters/reports-store';
import { Vault } from '../adapters/vault';
import { loadPublication, requireEnv, tableName } from '../config';
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
