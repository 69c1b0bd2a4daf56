import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Callers log identifiers (report id, edition id, editor id), never whole events,
 * tokens or email addresses: events carry all three.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dispatch' });
