import { z } from 'zod';
import { signUpMessageSchema } from '../subscribers/sign-up';
import { signInMessageSchema } from './sign-in';

/**
 * What the sign-up queue carries: sign-ups (`{email}`, as ever, so messages queued before sign-in existed still
 * read) and member sign-in requests (`{kind: 'sign-in', …}`). Both schemas are strict, so a message is one or the
 * other, never both. The sign-up worker sends both kinds of mail: one queue, one SES sender with a bounded rate.
 */
export const signUpQueueMessageSchema = z.union([signInMessageSchema, signUpMessageSchema]);
export type SignUpQueueMessage = z.infer<typeof signUpQueueMessageSchema>;
