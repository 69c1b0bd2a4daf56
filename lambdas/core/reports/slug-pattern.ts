/**
 * What a slug is: lowercase ASCII words joined by hyphens, at most {@link MAX_SLUG_LENGTH} characters. A module with
 * no imports, so the route table (which the authorizer bundles) can check `{slug}` path parameters with it.
 */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_SLUG_LENGTH = 80;
