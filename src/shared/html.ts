/** Text made safe inside HTML elements and quoted attributes. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A short Vietnamese e-mail body in HTML: one paragraph per line of text (blank lines dropped). */
export function paragraphsHtml(subject: string, lines: string[]): string {
  const body = lines
    .filter((l) => l.trim() !== '')
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('\n');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${body}</body></html>`;
}
