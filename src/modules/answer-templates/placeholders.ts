/** What of a case a template's placeholders take: its view as the caller may see it. */
export type PlaceholderCase = {
  code: string;
  receivedAt: string | Date;
  /** null: the caller's role may not see the reporter. */
  reporter: { name: string | null; confidential: boolean } | null;
};

/** How a template names the reporter when their name is not to be written: "ông/bà" (Sir/Madam). */
export const unnamedReporter = 'ông/bà';

/** The placeholders a template may hold, each with what it stands for (shown to the heads who write them). */
export const placeholderNames = ['ma_phan_anh', 'ngay_tiep_nhan', 'ten_nguoi_phan_anh'] as const;

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** `dd/MM/yyyy` in the time zone. */
function day(at: string | Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' });
    dayFormats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year}`;
}

/**
 * A template's text with its placeholders — `{{ma_phan_anh}}`, `{{ngay_tiep_nhan}}`,
 * `{{ten_nguoi_phan_anh}}`, spaces inside the braces allowed — replaced by the case's values, in one
 * pass (a value that looks like a placeholder stays as it is). The reporter's name only where the
 * caller may see it and the reporter did not ask to stay unnamed: an answer is sent to the citizen and
 * may be published, so a confidential reporter is "ông/bà" even to a role that sees their name.
 * Placeholders it does not know are left for the person to see and edit.
 */
export function fillPlaceholders(text: string, kase: PlaceholderCase, timeZone = 'Asia/Ho_Chi_Minh'): string {
  const r = kase.reporter;
  const name = r && !r.confidential && r.name?.trim() ? r.name.trim() : unnamedReporter;
  const values: Record<(typeof placeholderNames)[number], string> = {
    ma_phan_anh: kase.code,
    ngay_tiep_nhan: day(kase.receivedAt, timeZone),
    ten_nguoi_phan_anh: name,
  };
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? values[key as keyof typeof values] : whole,
  );
}
