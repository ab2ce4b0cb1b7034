import { describe, expect, it } from 'vitest';
import { cleanFileName, sniffMediaType } from './file-sniff.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMediaType', () => {
  it('knows a PDF, a JPEG, a PNG and a WebP by their first bytes', () => {
    expect(sniffMediaType(bytes('%PDF-1.7\n…'))).toBe('application/pdf');
    expect(sniffMediaType(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffMediaType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe('image/png');
    expect(sniffMediaType(bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
  });

  it('refuses anything else, however it is named: HTML, an SVG, a WAV (RIFF but not WebP), a truncated header, nothing', () => {
    expect(sniffMediaType(bytes('<!doctype html><script>alert(1)</script>'))).toBeNull();
    expect(sniffMediaType(bytes(' %PDF-1.7'))).toBeNull();
    expect(sniffMediaType(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffMediaType(bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '))).toBeNull();
    expect(sniffMediaType(bytes([0x89], 'PNG'))).toBeNull();
    expect(sniffMediaType(bytes('%PDF'))).toBeNull();
    expect(sniffMediaType(new Uint8Array())).toBeNull();
  });
});

describe('cleanFileName', () => {
  it('keeps a Vietnamese name in NFC, without its directory, control or quoting characters', () => {
    const decomposed = 'Công văn trả lời.pdf'.normalize('NFD');
    expect(cleanFileName(`C:\\Users\\a\\${decomposed}`, 'application/pdf')).toBe(
      'Công văn trả lời.pdf'.normalize('NFC'),
    );
    expect(cleanFileName('../../etc/"x"\u0000\n.pdf', 'application/pdf')).toBe('x.pdf');
  });

  it("ends in the real type's extension, and has a name even when none was sent", () => {
    expect(cleanFileName('scan.pdf', 'image/png')).toBe('scan.pdf.png');
    expect(cleanFileName('anh.JPEG', 'image/jpeg')).toBe('anh.JPEG');
    expect(cleanFileName('', 'image/webp')).toBe('tep.webp');
    expect(cleanFileName('...', 'application/pdf')).toBe('tep.pdf');
    const long = cleanFileName(`${'ả'.repeat(400)}.pdf`, 'application/pdf');
    expect(long).toHaveLength(255);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
