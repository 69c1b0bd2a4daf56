import { parseCompiledEdition, type CompiledEdition } from '../core/digest/compiled-edition';
import type { ReaderTier } from '../core/shared/reader-tier';
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
}

/** Version 0 is the first compile; each resume compiles again under the next version. */
export const compiledEditionKey = (editionId: string, tier: ReaderTier, version = 0): string =>
  `${VAULT_PREFIX.editions}${editionId}/${version === 0 ? '' : `v${version}/`}${tier}.json`;

export class VaultCompiledEditions implements CompiledEditionsStore, CompiledEditionSource {
  constructor(private readonly vault: Vault) {}

  async put(editionId: string, tier: ReaderTier, compiled: CompiledEdition, version = 0): Promise<void> {
    await this.vault.put(compiledEditionKey(editionId, tier, version), JSON.stringify(compiled), 'application/json');
  }

  async get(editionId: string, tier: ReaderTier, version = 0): Promise<CompiledEdition> {
    const key = compiledEditionKey(editionId, tier, version);
    const compiled = parseCompiledEdition(await this.vault.getJson<unknown>(key));
    // The paid edition must never reach a free reader, whatever a key or a caller gets wrong.
    if (compiled.tier !== tier || compiled.editionId !== editionId) {
      throw new Error(`Compiled edition at ${key} is ${compiled.editionId}/${compiled.tier}`);
    }
    return compiled;
  }
}

export class ActiveSubscriberPages implements RecipientPages {
  constructor(private readonly subscribers: SubscribersStore) {}

  async activePage(limit: number, cursor?: string): Promise<{ emails: string[]; next?: string }> {
    const page = await this.subscribers.pageByStatus('active', limit, cursor);
    return { emails: page.items.map((subscriber) => subscriber.email), ...(page.next ? { next: page.next } : {}) };
  }
}
