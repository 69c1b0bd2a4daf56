import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EditionControlStore } from '../core/digest/edition-control';
import type { EditionsRepository } from '../core/digest/edition-planner';
import type { DeliveriesRepository } from '../core/digest/mail-delivery';
import { DeliveriesStore } from './deliveries-store';
import { EditionsStore } from './editions-store';

export type { WindowClaim } from './editions-store';

/**
 * The digests table as the digest workflows see it. Their ports (planner, sender, operator control) each read
 * editions and deliveries together, so this joins the two stores behind one object, method by method: each
 * store keeps one kind of item and its conditions, and nothing is written twice. Callers that touch editions
 * only (feedback, pausing on unpublish) use `EditionsStore` directly.
 */
export class DigestsStore implements EditionsRepository, DeliveriesRepository, EditionControlStore {
  readonly editions: EditionsStore;
  readonly deliveries: DeliveriesStore;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.editions = new EditionsStore(client, tableName);
    this.deliveries = new DeliveriesStore(client, tableName);
  }

  /* Editions */
  readonly head: EditionsStore['head'] = () => this.editions.head();
  readonly advanceHead: EditionsStore['advanceHead'] = (...args) => this.editions.advanceHead(...args);
  readonly claimWindow: EditionsStore['claimWindow'] = (...args) => this.editions.claimWindow(...args);
  readonly createEdition: EditionsStore['createEdition'] = (...args) => this.editions.createEdition(...args);
  readonly addReports: EditionsStore['addReports'] = (...args) => this.editions.addReports(...args);
  readonly editionsWithReport: EditionsStore['editionsWithReport'] = (...args) =>
    this.editions.editionsWithReport(...args);
  readonly getEdition: EditionsStore['getEdition'] = (...args) => this.editions.getEdition(...args);
  readonly sendState: EditionsStore['sendState'] = (...args) => this.editions.sendState(...args);
  readonly markCompiled: EditionsStore['markCompiled'] = (...args) => this.editions.markCompiled(...args);
  readonly markSeriesCompiled: EditionsStore['markSeriesCompiled'] = (...args) =>
    this.editions.markSeriesCompiled(...args);
  readonly recordPlannedPage: EditionsStore['recordPlannedPage'] = (...args) =>
    this.editions.recordPlannedPage(...args);
  readonly finishPlanning: EditionsStore['finishPlanning'] = (...args) => this.editions.finishPlanning(...args);
  readonly resume: EditionsStore['resume'] = (...args) => this.editions.resume(...args);
  readonly setStatus: EditionsStore['setStatus'] = (...args) => this.editions.setStatus(...args);
  readonly reconcile: EditionsStore['reconcile'] = (...args) => this.editions.reconcile(...args);
  readonly count: EditionsStore['count'] = (...args) => this.editions.count(...args);

  /* Deliveries */
  readonly claimDelivery: DeliveriesStore['claimDelivery'] = (...args) => this.deliveries.claimDelivery(...args);
  readonly getDeliveries: DeliveriesStore['getDeliveries'] = (...args) => this.deliveries.getDeliveries(...args);
  readonly finishDelivery: DeliveriesStore['finishDelivery'] = (...args) => this.deliveries.finishDelivery(...args);
  readonly releaseDelivery: DeliveriesStore['releaseDelivery'] = (...args) => this.deliveries.releaseDelivery(...args);
  readonly reopenDelivery: DeliveriesStore['reopenDelivery'] = (...args) => this.deliveries.reopenDelivery(...args);
  readonly deliveriesWithStatus: DeliveriesStore['deliveriesWithStatus'] = (...args) =>
    this.deliveries.deliveriesWithStatus(...args);
  readonly deliveryOutcomes: DeliveriesStore['deliveryOutcomes'] = (...args) =>
    this.deliveries.deliveryOutcomes(...args);
}
