import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EditorsStore } from '../lambdas/adapters/editors-store';
import { issueEditor } from '../lambdas/core/editors/editors';

/**
 * After `npx cdk deploy --all`: creates the first admin editor straight in the editors table with the
 * operator's own AWS credentials (the API needs an admin token to create one) and prints its token once.
 *   npx tsx local/bootstrap-admin.ts --table <EditorsTableName> [--name "Jane Doe"]
 */
const { values } = parseArgs({ options: { table: { type: 'string' }, name: { type: 'string', default: 'Admin' } } });
if (!values.table) {
  process.stderr.write('bootstrap-admin: --table <EditorsTableName> is required (see the DispatchStateful outputs)\n');
  process.exit(2);
}
const issued = issueEditor(values.name ?? 'Admin', 'admin', new Date());
await new EditorsStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), values.table).create(issued.record);
process.stdout.write(`Admin editor ${issued.record.editorId} created. Token (shown once):\n${issued.token}\n`);
