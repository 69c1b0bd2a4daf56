const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The one HTML escaper: pages, digests, reader mails and the template engine all use it. Escaping all five
 * characters makes the result safe in element content and in single- or double-quoted attribute values alike,
 * so a caller never has to know where its text lands.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
