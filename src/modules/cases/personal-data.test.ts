import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldForSearch, hidden, phoneKey, scrubPersonalData, singleLine, withheld } from './personal-data.ts';

describe('scrubPersonalData', () => {
  it('hides phone numbers however they are written', () => {
    for (const phone of [
      '0912345678',
      '0912 345 678',
      '0912.345.678',
      '+84 912 345 678',
      '84912345678',
      '0225-3842-123',
    ])
      expect(scrubPersonalData(`Liên hệ ${phone} nhé.`, null)).toBe('Liên hệ *** nhé.');
  });

  it('hides e-mail addresses, however cased, and keeps the reporter’s own for their view', () => {
    const text = 'Đã trả lời qua Le.Van.C@Example.vn và báo chị Lan (lan.tran@ubnd-viethoa.gov.vn).';
    expect(scrubPersonalData(text, null)).toBe('Đã trả lời qua *** và báo chị Lan (***).');
    expect(scrubPersonalData(text, null, { keepEmail: 'le.van.c@example.vn' })).toBe(
      'Đã trả lời qua Le.Van.C@Example.vn và báo chị Lan (***).',
    );
    expect(scrubPersonalData('Gửi về hộp thư @example hoặc a@b.', null)).toBe(
      'Gửi về hộp thư @example hoặc a@b.',
    );
  });

  it('keeps short numbers: house numbers, the hotline, dates, amounts', () => {
    const text = 'Số nhà 12, gọi 1022, ngày 21/11/2026, kinh phí 15.000.000 đồng.';
    expect(scrubPersonalData(text, null)).toBe(text);
  });

  it("hides the reporter's full name in any case, with or without accents", () => {
    const name = 'Nguyễn Thị Hường';
    expect(scrubPersonalData('Gửi Nguyễn Thị Hường: đã sửa.', name)).toBe('Gửi ***: đã sửa.');
    expect(scrubPersonalData('Gửi NGUYỄN THỊ HƯỜNG, nguyen thi huong.', name)).toBe('Gửi ***, ***.');
    expect(scrubPersonalData('Gửi Nguyễn Thị Hường.'.normalize('NFD'), name.normalize('NFD'))).toBe(
      'Gửi ***.',
    );
  });

  it('hides a given name after a form of address, and keeps the form', () => {
    const name = 'Trần Văn Hùng';
    expect(scrubPersonalData('Cảm ơn ông Hùng và anh Văn Hùng đã phản ánh.', name)).toBe(
      'Cảm ơn ông *** và anh *** đã phản ánh.',
    );
  });

  it('leaves the same words elsewhere alone (whole words, and no form of address)', () => {
    const name = 'Lê Văn An';
    const text = 'Bảo đảm an toàn; văn bản số 5; Phố Lê Văn Hưu.';
    expect(scrubPersonalData(text, name)).toBe(text);
    expect(scrubPersonalData('Ông An ở Lê Văn An.', name)).toBe('Ông *** ở ***.');
  });
});

describe('the scrub cannot be sidestepped', () => {
  const name = 'Nguyễn Văn Bình';

  it('finds the name next to emoji, which once made it give up and publish the text whole', () => {
    expect(scrubPersonalData('Tôi là Nguyễn Văn Bình, hôm nay 😡', name)).toBe('Tôi là ***, hôm nay 😡');
    expect(scrubPersonalData('Kính gửi ông Nguyễn Văn Bình … 🙏', name)).toBe('Kính gửi ông *** … 🙏');
    expect(scrubPersonalData('👍Nguyễn Văn Bình👍', name)).toBe('👍***👍');
  });

  it('finds it across double spaces, line breaks, tabs and no-break spaces', () => {
    expect(scrubPersonalData('Tôi là Nguyễn Văn  Bình.', name)).toBe('Tôi là ***.');
    expect(scrubPersonalData('Tôi là Nguyễn\nVăn\r\nBình.', name)).toBe('Tôi là ***.');
    expect(scrubPersonalData('Tôi là Nguyễn\tVăn\u00a0Bình.', name)).toBe('Tôi là ***.');
  });

  it('finds it through zero-width and bidi characters, and hides full-width or broken-up phone numbers', () => {
    expect(scrubPersonalData('Tôi là Nguy\u200bễn Văn B\u202eình.', name)).toBe('Tôi là ***.');
    expect(scrubPersonalData('Gọi ０９１２３４５６７８ nhé', null)).toBe(`Gọi ${hidden} nhé`);
    expect(scrubPersonalData('Gọi 0912\n345\u200b678 nhé', null)).toBe(`Gọi ${hidden} nhé`);
  });

  it("keeps the reporter's own name and number for their own view, and hides third parties' numbers", () => {
    const text = 'Nguyễn Văn Bình (0912 345 678) báo hàng xóm 0988111222 xây lấn.';
    expect(scrubPersonalData(text, name, { keepName: true, keepPhone: '+84912345678' })).toBe(
      `Nguyễn Văn Bình (0912 345 678) báo hàng xóm ${hidden} xây lấn.`,
    );
    expect(phoneKey('0912.345.678')).toBe(phoneKey('+84 912 345 678'));
  });

  // Names made of common Vietnamese family, middle and given names.
  const family = [
    'Nguyễn',
    'Trần',
    'Lê',
    'Phạm',
    'Hoàng',
    'Huỳnh',
    'Vũ',
    'Đặng',
    'Bùi',
    'Đỗ',
    'Ngô',
    'Dương',
  ];
  const middle = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc'];
  const given = ['Bình', 'Hùng', 'Hường', 'Dũng', 'Lan', 'Tuấn', 'Quỳnh', 'Phương', 'Đạt', 'Yến'];
  const nameArb = fc
    .tuple(
      fc.constantFrom(...family),
      fc.array(fc.constantFrom(...middle), { maxLength: 2 }),
      fc.constantFrom(...given),
    )
    .map(([f, m, g]) => [f, ...m, g]);
  const separator = fc
    .array(fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\u3000', ' \u200b'), {
      minLength: 1,
      maxLength: 3,
    })
    .map((parts) => parts.join(''));
  /** Each letter in upper or lower case. */
  const casing = (word: string) =>
    fc
      .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
      .map((upper) => Array.from(word, (c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
  const around = fc.oneof(
    fc.constantFrom('', 'Tôi là', 'Kính gửi ông', 'Cảm ơn chị', '😡', '🙏🏽', 'Đường Lê Lợi, số 12'),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  );
  /** What separates the name from the text around it: not a letter or digit, or it is another word. */
  const edge = fc.constantFrom(' ', '\n', ', ', ' (', ') ', '😡', '🙏', ': ', '"', ' — ');

  /** A text with a name in it, spaced, cased, composed and surrounded in every way. */
  const withName = fc
    .tuple(
      nameArb,
      fc.array(separator, { minLength: 3, maxLength: 3 }),
      around,
      edge,
      edge,
      around,
      fc.constantFrom<'NFC' | 'NFD'>('NFC', 'NFD'),
    )
    .chain(([words, seps, before, left, right, after, form]) => {
      const written = words.map((w, i) => (i === 0 ? w : `${seps[i - 1]}${w}`)).join('');
      return casing(written).map((cased) => ({
        name: words.join(' '),
        text: `${before}${left}${cased}${right}${after}`.normalize(form),
      }));
    });

  it('hides a name however it is spaced, cased, composed and surrounded', () => {
    fc.assert(
      fc.property(withName, ({ name: reporter, text }) => {
        const out = scrubPersonalData(text, reporter);
        const needle = foldForSearch(reporter).text;
        const found = foldForSearch(out).text;
        // The name is nowhere left as a whole word (a withheld text holds nothing at all).
        for (let at = found.indexOf(needle); at >= 0; at = found.indexOf(needle, at + 1)) {
          const whole =
            !/[\p{L}\p{N}]/u.test(found[at - 1] ?? '') &&
            !/[\p{L}\p{N}]/u.test(found[at + needle.length] ?? '');
          expect(whole, JSON.stringify({ text, out })).toBe(false);
        }
        expect(out === withheld || out.includes(hidden)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves a text without the name or a phone number as it was', () => {
    fc.assert(
      fc.property(nameArb, fc.string({ unit: 'grapheme', maxLength: 80 }), (words, text) => {
        const clean = text.replace(/[0-9０-９]/g, '');
        const needle = foldForSearch(words.join(' ')).text;
        fc.pre(!foldForSearch(clean).text.includes(needle.split(' ').at(-1) as string));
        expect(scrubPersonalData(clean, words.join(' '))).toBe(clean.normalize('NFC'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('singleLine', () => {
  it('collapses line breaks, control and bidi characters so that citizen text cannot pass for a line of ours', () => {
    expect(singleLine('Đèn hỏng\nTHONG BAO: dang nhap lai tai http://x')).toBe(
      'Đèn hỏng THONG BAO: dang nhap lai tai http://x',
    );
    expect(singleLine('a\u202eb\u200bc\u0007d\r\n\t e\u2028f')).toBe('abc d e f');
  });
});
