/**
 * What an uploaded file is, decided by its first bytes (its magic number) alone: the name's extension
 * and the client's Content-Type are what anyone may write, and a file served back with a type it is
 * not (HTML named `.pdf`) is how stored files turn into scripts. Only the four kinds a signed reply
 * comes in are known; anything else is null.
 */
export type SniffedType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/webp';

export const acceptedTypes: readonly SniffedType[] = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
];

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export function sniffMediaType(bytes: Uint8Array): SniffedType | null {
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/** The extension a download is saved with: the sniffed type's, whatever the uploaded name said. */
const extensions: Record<SniffedType, string> = {
  'application/pdf': '.pdf',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const unsafeInNames = /[\u0000-\u001f\u007f"<>|:*?]/g;

/**
 * A file's name as kept and shown: NFC, no directory part, no control or quoting characters, at most
 * 255 characters, and ending in its real type's extension (a `.pdf` name on a PNG becomes `….pdf.png`).
 */
export function cleanFileName(raw: string, type: SniffedType): string {
  const base = raw.normalize('NFC').split(/[/\\]/).at(-1) ?? '';
  let name = base.replace(unsafeInNames, '').replace(/\s+/g, ' ').trim();
  name = name.replace(/^\.+/, '');
  if (!name.isWellFormed()) name = name.toWellFormed();
  const ext = extensions[type];
  const stem =
    name.toLowerCase().endsWith(ext) || (type === 'image/jpeg' && /\.jpeg$/i.test(name))
      ? name
      : `${name}${ext}`;
  const full = stem === ext ? `tep${ext}` : stem;
  return full.length <= 255 ? full : `${full.slice(0, 255 - ext.length)}${ext}`;
}
