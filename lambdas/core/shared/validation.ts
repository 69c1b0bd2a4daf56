import type { z } from 'zod';
import { InvalidInputError, type FieldError } from './errors';

/** One field error per zod issue, named by its dotted path; an issue about the whole value is `(body)`. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** The value as the schema's type, or an {@link InvalidInputError} naming every field that is wrong. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(fieldErrors(result.error));
  return result.data;
}
