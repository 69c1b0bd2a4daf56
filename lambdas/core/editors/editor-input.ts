import { z } from 'zod';
import { hasVisibleText, stripInvisible } from '../shared/text-safety';
import { ROLES } from './editor-tokens';

/**
 * What an admin sends to create an editor. Kept apart from the token rules so the authorizer, which runs before
 * every API request, never loads classic zod (~440 KB of bundle and most of its cold start).
 */
export const newEditorSchema = z
  .object({
    // Shown in report histories: invisible and bidi characters could hide or disguise who made a change.
    name: z
      .string()
      .transform(stripInvisible)
      .pipe(
        z
          .string()
          .trim()
          .min(1, 'must not be blank')
          .max(120)
          .refine(hasVisibleText, 'must contain visible characters, not only invisible or formatting ones'),
      ),
    role: z.enum(ROLES, { message: 'must be admin or editor' }).default('editor'),
  })
  .strict();
