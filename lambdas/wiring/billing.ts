import { BillingLedgerStore } from '../adapters/billing-ledger';
import { dynamoDocumentClient } from '../adapters/clients';
import { billingTable, subscribersTable } from '../adapters/data-model';
import { SubscribersStore } from '../adapters/subscribers-store';
import { tableName } from '../config';
import { BillingService } from '../core/billing/billing-service';

/** The billing service over the billing and subscribers tables, built once per execution environment. */
export function billingFromEnv(): BillingService {
  return new BillingService(
    new BillingLedgerStore(dynamoDocumentClient(), tableName(billingTable.env)),
    new SubscribersStore(dynamoDocumentClient(), tableName(subscribersTable.env)),
  );
}
