import type { PaidPart, ReportRecord } from '../reports/report';
import type { Subscriber } from '../subscribers/subscribers';
import type { SignInMessage } from './sign-in';

/** The per-reader version counters one conditional update moves on. */
export type VersionCounter = 'signInVersion' | 'memberSessionVersion';

/** What member sign-in and sessions need from the subscribers table; the DynamoDB adapter implements it. */
export interface MemberRecords {
  get(email: string): Promise<Subscriber | undefined>;
  getBySubscriberId(subscriberId: string): Promise<Subscriber | undefined>;
  /** Conditional on `previous` being what is stored; false when it changed meanwhile. */
  save(next: Subscriber, previous: Subscriber | undefined): Promise<boolean>;
  /** `counter` from `expected` to `expected + 1` if it still is `expected` (absent = 0); false otherwise. */
  advanceVersion(email: string, counter: VersionCounter, expected: number, at: Date): Promise<boolean>;
}

/** The sign-up queue, as the login route uses it: the worker mails the link. */
export interface SignInQueue {
  send(message: SignInMessage): Promise<void>;
}

/** What member pages read: the reports table and the vault (paid parts, paid edition pages). */
export interface MemberContent {
  /** The report holding the slug, whatever its state; undefined when none does. */
  reportBySlug(slug: string): Promise<ReportRecord | undefined>;
  paidPart(ref: string): Promise<PaidPart>;
  /** The paid edition's page (a complete HTML document), or undefined when there is none. */
  paidEditionPage(editionId: string): Promise<string | undefined>;
}
