import { html, type SafeHtml } from '../../html.ts';

/** Vietnamese messages by form field name (the field's id): what is wrong beside each control. */
export type Problems = Record<string, string>;

/** `aria-invalid` and the link to the field's message, when it has one (as intake.ts does). */
export const described = (name: string, problems: Problems) =>
  problems[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '';

/** The message shown beside a field (its id is what `described` points to). */
export const fieldError = (name: string, problems: Problems) =>
  problems[name] ? html`<span class="field-error" id="${name}-error">${problems[name]}</span>` : '';

/** A labelled control with its message, in a paragraph; `hint` is a short help text under the label. */
export const field = (name: string, label: string, control: SafeHtml, problems: Problems, hint?: string) =>
  html`<p class="field${problems[name] ? ' invalid' : ''}"><label for="${name}">${label}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>
${control}${fieldError(name, problems)}</p>`;

/** A form field as a string (a single value; the first of repeated ones), trimmed; '' when absent. */
export const one = (fields: Record<string, unknown>, name: string): string => {
  const v = fields[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first.trim() : '';
};

/** A repeated form field (checkboxes) as a list of strings. */
export const many = (fields: Record<string, unknown>, name: string): string[] => {
  const v = fields[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
};
