import type { ComponentChildren, VNode } from 'preact';
import { render } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from './api';

/** A sentence for the editor from anything a call threw. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : 'Something went wrong';
}

export function fieldProblems(error: unknown): FieldProblem[] {
  return error instanceof ApiError ? error.fields : [];
}

/** An outcome line: polite for news, assertive for problems. */
export function Notice(props: { kind: 'ok' | 'error' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** An API failure with the fields it named. */
export function ProblemNotice(props: { error: unknown }) {
  const fields = fieldProblems(props.error);
  return (
    <Notice kind="error">
      <p>{problemText(props.error)}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((problem) => (
            <li key={problem.field}>
              <strong>{problem.field}</strong> {problem.message}
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

/**
 * A button that asks once more in place instead of `window.confirm` (which a browser may suppress and which
 * interrupts a screen reader): the first press shows "Confirm …" and "Keep".
 */
export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  disabled?: boolean;
  danger?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        class={props.danger ? 'danger' : ''}
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

/**
 * A complete HTML document built with Preact in an inert document (no string assembly), for an iframe's `srcdoc`.
 * Server-rendered HTML goes into the elements marked `data-fill="name"` only after they sit in the inert document,
 * so nothing in it loads or runs in the console's own page. The frame is sandboxed without scripts and inherits
 * the console's CSP.
 */
export function documentHtml(title: string, styles: string, body: VNode, fills: Record<string, string> = {}): string {
  const doc = document.implementation.createHTMLDocument(title);
  doc.documentElement.lang = 'en';
  const style = doc.createElement('style');
  style.textContent = styles;
  doc.head.append(style);
  const root = doc.createElement('div');
  doc.body.append(root);
  render(body, root);
  for (const element of Array.from(root.querySelectorAll<HTMLElement>('[data-fill]'))) {
    element.innerHTML = fills[element.dataset.fill ?? ''] ?? '';
    element.removeAttribute('data-fill');
  }
  return `<!doctype html>${doc.documentElement.outerHTML}`;
}

/** A sandboxed frame (no scripts, no same-origin, no forms, no popups) showing server-rendered HTML. */
export function SandboxedFrame(props: { title: string; srcdoc: string; class?: string }) {
  return <iframe class={props.class ?? 'frame'} title={props.title} sandbox="" srcdoc={props.srcdoc} />;
}

export interface Tab<K extends string> {
  key: K;
  label: string;
}

/**
 * A WAI-ARIA tab list controlling one panel (`${idPrefix}-panel`, which the caller renders with `role="tabpanel"`
 * and `aria-labelledby` of the selected tab): one tab in the Tab order, arrow keys, Home and End move between them.
 */
export function TabList<K extends string>(props: {
  label: string;
  idPrefix: string;
  tabs: readonly Tab<K>[];
  selected: K;
  onSelect: (key: K) => void;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent, index: number): void => {
    const last = props.tabs.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: index === last ? 0 : index + 1,
      ArrowLeft: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    const tab = next === undefined ? undefined : props.tabs[next];
    if (next === undefined || tab === undefined) return;
    event.preventDefault();
    props.onSelect(tab.key);
    buttons.current[next]?.focus();
  };
  return (
    <div role="tablist" aria-label={props.label} class="tabs">
      {props.tabs.map((tab, index) => (
        <button
          key={tab.key}
          type="button"
          role="tab"
          id={`${props.idPrefix}-tab-${tab.key}`}
          aria-selected={tab.key === props.selected ? 'true' : 'false'}
          aria-controls={`${props.idPrefix}-panel`}
          tabIndex={tab.key === props.selected ? 0 : -1}
          ref={(element) => {
            buttons.current[index] = element;
          }}
          onClick={() => props.onSelect(tab.key)}
          onKeyDown={(event) => onKeyDown(event, index)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function formatDate(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
