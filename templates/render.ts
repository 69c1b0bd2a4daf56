/**
 * A deliberately tiny template renderer: `{{name}}` is HTML-escaped, `{{{name}}}` is inserted raw and must only
 * ever receive HTML we built or sanitised ourselves. Escaping is the default so a forgotten triple brace fails
 * safe. There are no loops or conditionals: callers render repeated or optional parts as their own templates and
 * pass the result raw, which keeps every decision in TypeScript where it can be tested.
 */
export type TemplateValues = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\{\s*([a-zA-Z][\w]*)\s*\}\}\}|\{\{\s*([a-zA-Z][\w]*)\s*\}\}/g;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element content and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_match, rawName: string | undefined, escapedName: string | undefined) => {
    const name = rawName ?? escapedName ?? '';
    const value = values[name];
    // A typo in a placeholder name must not silently render as an empty string.
    if (value === undefined) throw new TemplateError(`Template value "${name}" was not supplied`);
    return rawName === undefined ? escapeHtml(value) : value;
  });
}
