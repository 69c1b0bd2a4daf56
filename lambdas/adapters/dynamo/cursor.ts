/** A DynamoDB key (`LastEvaluatedKey` / `ExclusiveStartKey`) in document form. */
export type StoredKey = Record<string, unknown>;

/** The key as an opaque, URL-safe string: base64url of its JSON. */
export function encodeCursor(key: StoredKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The key a cursor stands for. Callers pass a cursor back from outside (a query string, a stored edition), so
 * only a JSON object that `isIssuedKey` recognises as one of the keys its query issues gets through: anything
 * else would reach DynamoDB and come back as a 500 instead of a 400.
 */
export function decodeCursor(cursor: string, isIssuedKey: (key: StoredKey) => boolean): StoredKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new InvalidCursorError();
  }
  if (!isStoredKey(parsed) || !isIssuedKey(parsed)) throw new InvalidCursorError();
  return parsed;
}

/** True when `key` has exactly these attribute names, in any order. */
export function hasExactAttributes(key: StoredKey, names: readonly string[]): boolean {
  return Object.keys(key).sort().join(',') === [...names].sort().join(',');
}

function isStoredKey(value: unknown): value is StoredKey {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this API issued');
    this.name = 'InvalidCursorError';
  }
}
