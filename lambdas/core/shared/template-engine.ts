import { escapeHtml } from './escape-html';

/**
 * The one template engine: the MJML digest, the site's pages and the blocks around a report in feeds. Pure, so
 * it lives in the core; lambdas/render only adds MJML. A deliberately small Mustache-like engine. Why not
 * Handlebars: we need six constructs, escaping by default, a loud failure on a misspelt name, and raw output
 * only for values the caller explicitly marked as trusted.
 *
 *   {{path.to.value}}        HTML-escaped string or number
 *   {{{path}}}               a TrustedHtml value, inserted as is
 *   {{#if path}}…{{else}}…{{/if}}   false, undefined, null, '' and [] are false
 *   {{#each path}}…{{/each}} the item becomes the innermost scope; names fall back to outer scopes
 *   {{> partial-name}}       inlined at parse time
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Marks HTML that was sanitised upstream (report bodies); anything else is escaped. */
export class TrustedHtml {
  constructor(readonly html: string) {}
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string[]; raw: boolean; tag: string }
  | { kind: 'if'; path: string[]; then: Node[]; otherwise: Node[] }
  | { kind: 'each'; path: string[]; body: Node[] };

export interface Template {
  readonly nodes: readonly Node[];
}

export type Scope = Readonly<Record<string, unknown>>;

const TAG = /\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*(#if|#each|\/if|\/each|else|>)?\s*([\w.-]*)\s*\}\}/g;
const MAX_PARTIAL_DEPTH = 8;

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

export function parseTemplate(
  source: string,
  partials: Readonly<Record<string, string>> = {},
  name = 'template',
  depth = 0,
): Template {
  if (depth > MAX_PARTIAL_DEPTH) throw new TemplateError(`Partials nest deeper than ${MAX_PARTIAL_DEPTH} at ${name}`);
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'if' | 'each' }>; target: Node[]; line: number }[] = [];
  let target = root;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const [tag, rawName, keyword, ident = ''] = match;
    const where = `${name}:${lineOf(source, match.index)}`;
    if (match.index > last) target.push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + tag.length;
    if (rawName !== undefined) {
      target.push({ kind: 'value', path: rawName.split('.'), raw: true, tag: where });
      continue;
    }
    if (keyword === undefined) {
      if (!ident) throw new TemplateError(`Empty tag at ${where}`);
      target.push({ kind: 'value', path: ident.split('.'), raw: false, tag: where });
      continue;
    }
    if (keyword === '>') {
      const partial = partials[ident];
      if (partial === undefined) throw new TemplateError(`Unknown partial "${ident}" at ${where}`);
      target.push(...parseTemplate(partial, partials, ident, depth + 1).nodes);
      continue;
    }
    if (keyword === '#if' || keyword === '#each') {
      if (!ident) throw new TemplateError(`${keyword} needs a name at ${where}`);
      const path = ident.split('.');
      const node: Extract<Node, { kind: 'if' | 'each' }> =
        keyword === '#if' ? { kind: 'if', path, then: [], otherwise: [] } : { kind: 'each', path, body: [] };
      target.push(node);
      stack.push({ node, target, line: lineOf(source, match.index) });
      target = node.kind === 'if' ? node.then : node.body;
      continue;
    }
    const open = stack.at(-1);
    if (keyword === 'else') {
      if (open?.node.kind !== 'if' || target !== open.node.then) throw new TemplateError(`Stray {{else}} at ${where}`);
      target = open.node.otherwise;
      continue;
    }
    const closes = keyword === '/if' ? 'if' : 'each';
    if (open?.node.kind !== closes) throw new TemplateError(`Unexpected {{${keyword}}} at ${where}`);
    stack.pop();
    target = open.target;
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw new TemplateError(`Unclosed {{#${unclosed.node.kind}}} at ${name}:${unclosed.line}`);
  if (last < source.length) target.push({ kind: 'text', text: source.slice(last) });
  return { nodes: root };
}

function lookup(scopes: readonly unknown[], path: readonly string[]): unknown {
  const [head, ...rest] = path;
  let value: unknown;
  if (head === 'this') {
    value = scopes.at(-1);
  } else {
    const scope = scopes.findLast(
      (candidate) => typeof candidate === 'object' && candidate !== null && head! in candidate,
    );
    value = scope === undefined ? undefined : (scope as Record<string, unknown>)[head!];
  }
  for (const key of rest) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

function renderNodes(nodes: readonly Node[], scopes: unknown[], out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'value': {
        const value = lookup(scopes, node.path);
        if (node.raw) {
          if (!(value instanceof TrustedHtml)) {
            throw new TemplateError(`{{{${node.path.join('.')}}}} at ${node.tag} must be TrustedHtml`);
          }
          out.push(value.html);
        } else if (typeof value === 'string' || typeof value === 'number') {
          out.push(escapeHtml(String(value)));
        } else {
          throw new TemplateError(
            `{{${node.path.join('.')}}} at ${node.tag} is ${value === undefined ? 'missing' : typeof value}`,
          );
        }
        break;
      }
      case 'if':
        renderNodes(truthy(lookup(scopes, node.path)) ? node.then : node.otherwise, scopes, out);
        break;
      case 'each': {
        const items = lookup(scopes, node.path);
        if (!Array.isArray(items)) throw new TemplateError(`{{#each ${node.path.join('.')}}} needs a list`);
        for (const item of items) {
          scopes.push(item);
          renderNodes(node.body, scopes, out);
          scopes.pop();
        }
        break;
      }
    }
  }
}

export function renderTemplate(template: Template, data: Scope): string {
  const out: string[] = [];
  renderNodes(template.nodes, [data], out);
  return out.join('');
}
