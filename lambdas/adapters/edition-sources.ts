import { parseCompiledEdition, type CompiledEdition, type CompiledEditionRef } from '../core/digest/compiled-edition';
import type { ReaderOfEdition } from '../core/digest/series-combination';
import type { Subscriber } from '../core/subscribers/subscribers';
import type { CompiledEditionsStore, EditionSources, RecipientPages } from '../core/digest/edition-planner';
import type { EditionWindow } from '../core/digest/edition-windows';
import type { CompiledEditionSource } from '../core/digest/mail-delivery';
import type { PaidPart, ReportRecord } from '../core/reports/report';
import { VAULT_PREFIX } from './data-model';
import type { ReportsStore } from './reports-store';
import type { SubscribersStore } from './subscribers-store';
import type { Vault } from './vault';

/** The planner's and sender's views of the stores they share: reports, vault, subscribers. */
export class VaultEditionSources implements EditionSources {
  constructor(
    private readonly reports: ReportsStore,
    private readonly vault: Vault,
  ) {}

  inWindow(window: EditionWindow, limit: number): Promise<ReportRecord[]> {
    return this.reports.publishedInWindow(window, limit);
  }

  earliestUnlistedPublication(now: Date): Promise<string | undefined> {
    return this.reports.earliestUnlistedPublication(now);
  }

  paidPart(ref: string): Promise<PaidPart> {
    return this.vault.getJson<PaidPart>(ref);
  }

  async reportsByIds(ids: readonly string[]): Promise<ReportRecord[]> {
    // An edition lists at most the digest's cap (30): strongly consistent gets, a few at a time.
    const found = await Promise.all(ids.map((id) => this.reports.get(id)));
    return found.filter((report): report is ReportRecord => report !== undefined);
  }
}

/**
 * Version 0 is the first compile; each resume compiles again under the next version. Each combination of series
 * has its own folder; a document without one (the whole edition, compiled before readers chose series) keeps the
 * key it always had, so messages queued before the change still find it.
 */
export const compiledEditionKey = (ref: CompiledEditionRef): string =>
  `${VAULT_PREFIX.editions}${ref.editionId}/${ref.version === 0 ? '' : `v${ref.version}/`}${
    ref.series === undefined ? '' : `series/${ref.series}/`
  }${ref.tier}.json`;

export class VaultCompiledEditions implements CompiledEditionsStore, CompiledEditionSource {
  constructor(private readonly vault: Vault) {}

  async put(ref: CompiledEditionRef, compiled: CompiledEdition): Promise<void> {
    const stored: CompiledEdition = ref.series === undefined ? compiled : { ...compiled, series: ref.series };
    await this.vault.put(compiledEditionKey(ref), JSON.stringify(stored), 'application/json');
  }

  async get(ref: CompiledEditionRef): Promise<CompiledEdition> {
    const key = compiledEditionKey(ref);
    const compiled = parseCompiledEdition(await this.vault.getJson<unknown>(key));
    // The paid edition must never reach a free reader, nor a series a reader left, whatever a key or a caller
    // gets wrong.
    if (compiled.tier !== ref.tier || compiled.editionId !== ref.editionId || compiled.series !== ref.series) {
      throw new Error(
        `Compiled edition at ${key} is ${compiled.editionId}/${compiled.tier}/${compiled.series ?? 'whole'}`,
      );
    }
    return compiled;
  }
}

export class ActiveSubscriberPages implements RecipientPages {
  constructor(private readonly subscribers: SubscribersStore) {}

  /** Each reader with their stored series, so the planner groups them without reading them again. */
  async activePage(limit: number, cursor?: string): Promise<{ readers: ReaderOfEdition[]; next?: string }> {
    const page = await this.subscribers.pageByStatus('active', limit, cursor);
    return { readers: page.items.map(readerOfEdition), ...(page.next ? { next: page.next } : {}) };
  }

  async readers(emails: readonly string[]): Promise<ReaderOfEdition[]> {
    return [...(await this.subscribers.getMany(emails)).values()].map(readerOfEdition);
  }
}

function readerOfEdition(subscriber: Subscriber): ReaderOfEdition {
  return subscriber.series === undefined
    ? { email: subscriber.email }
    : { email: subscriber.email, series: subscriber.series };
}
