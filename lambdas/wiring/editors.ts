import { dynamoDocumentClient } from '../adapters/clients';
import { editorsTable } from '../adapters/data-model';
import { EditorsStore } from '../adapters/editors-store';
import { tableName } from '../config';

/** The editors table, as the editors API and the authorizer read it. */
export function editorsStoreFromEnv(): EditorsStore {
  return new EditorsStore(dynamoDocumentClient(), tableName(editorsTable.env));
}
