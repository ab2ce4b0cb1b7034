import { AppError } from '../shared/errors.ts';
import { html, type SafeHtml } from './html.ts';

/** A form's fields as sent (plain forms post strings) and what is wrong with them, by field name. */
export type Fields = Record<string, string>;
export type Problems = Record<string, string>;

/** The message shown beside a field (its id is what `described` points to); '' when it has none. */
export const fieldError = (name: string, problems: Problems): SafeHtml | string =>
  problems[name] ? html`<span class="field-error" id="${name}-error">${problems[name]}</span>` : '';

/**
 * A labelled control with its Vietnamese error beside it (the control carries `described(name)`, so a
 * screen reader reads the error with the field); `hint`: a line under the label that says what to type.
 * The label may be markup (`labelWithHint`).
 */
export const field = (
  name: string,
  label: string | SafeHtml,
  control: SafeHtml,
  problems: Problems,
  hint?: string,
): SafeHtml =>
  html`<p class="field${problems[name] ? ' invalid' : ''}"><label for="${name}">${label}</label>
${hint ? html`<span class="meta" id="${name}-hint">${hint}</span>` : ''}${control}${fieldError(name, problems)}</p>`;

/**
 * A label with its hint inside it, read as part of the label (the settings pages' way; `field`'s own
 * `hint` is a line of its own that the control is described by).
 */
export const labelWithHint = (label: string, hint: string): SafeHtml =>
  html`${label} <span class="hint">${hint}</span>`;

/** The control's attributes that tie it to its error (and hint, if any). */
export const described = (name: string, problems: Problems, hint = false): SafeHtml | string => {
  const ids = [problems[name] ? `${name}-error` : '', hint ? `${name}-hint` : ''].filter(Boolean);
  return html`${problems[name] ? html` aria-invalid="true"` : ''}${ids.length ? html` aria-describedby="${ids.join(' ')}"` : ''}`;
};

/** A text input in a `field`: its value kept from what was sent, its error beside it. */
export const textField = (
  name: string,
  label: string,
  values: Fields,
  problems: Problems,
  attrs: { type?: string; required?: boolean; hint?: string; autocomplete?: string } = {},
): SafeHtml =>
  field(
    name,
    label,
    html`<input id="${name}" name="${name}" type="${attrs.type ?? 'text'}" autocomplete="${attrs.autocomplete ?? 'off'}"${attrs.required ? html` required` : ''} value="${values[name] ?? ''}"${described(name, problems, attrs.hint !== undefined)}>`,
    problems,
    attrs.hint,
  );

/** A select in a `field`; `options`: [value, label] in order. */
export const selectField = (
  name: string,
  label: string,
  options: [string, string][],
  values: Fields,
  problems: Problems,
): SafeHtml =>
  field(
    name,
    label,
    html`<select id="${name}" name="${name}"${described(name, problems)}>${options.map(
      ([value, text]) =>
        html`<option value="${value}"${values[name] === value ? html` selected` : ''}>${text}</option>`,
    )}</select>`,
    problems,
  );

/**
 * What a schema found wrong, by form field: the first message for each. `nameOf` turns an issue's path
 * into the form's field name (default: the path's last part, as the API's field names are the form's).
 */
export function problemsOf(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  nameOf: (path: string) => string = (p) => p.split('.').at(-1) ?? p,
): Problems {
  const problems: Problems = {};
  for (const issue of issues) problems[nameOf(issue.path.map(String).join('.'))] ??= issue.message;
  return problems;
}

/**
 * A service's 400 that names its fields (`errors: [{ path, message }]`), as problems by form field; null
 * for any other error (the caller rethrows it or says it otherwise).
 */
export function serviceProblems(err: unknown, nameOf?: (path: string) => string): Problems | null {
  if (!(err instanceof AppError) || err.statusCode !== 400 || !err.errors?.length) return null;
  return problemsOf(
    err.errors.map((e) => ({ path: e.path.split('.'), message: e.message })),
    nameOf,
  );
}

/** A form's text, trimmed; undefined when empty (an optional field left blank). */
export const filled = (f: Fields, name: string): string | undefined => {
  const v = f[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/**
 * A field of a form parsed as multipart or urlencoded (values may repeat or be absent) as a string:
 * the first of repeated ones, trimmed; '' when absent.
 */
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
