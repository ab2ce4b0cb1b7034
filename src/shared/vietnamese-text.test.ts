import { describe, expect, it } from 'vitest';
import { isGsm7 } from '../modules/messages/sms-text.ts';
import { withoutDiacritics } from './vietnamese-text.ts';

describe('withoutDiacritics', () => {
  it('folds every Vietnamese letter to its base letter, đ included', () => {
    expect(withoutDiacritics('Phường Việt Hoà, Đèn đường hỏng')).toBe('Phuong Viet Hoa, Den duong hong');
    expect(withoutDiacritics('ẮẰẲẴẶắằẳẵặƠỚỜỞỠỢơớờởỡợƯỨỪỬỮỰưứừửữự')).toBe(
      'AAAAAaaaaaOOOOOOooooooUUUUUUuuuuuu',
    );
  });

  it('turns typographic punctuation into GSM characters', () => {
    const folded = withoutDiacritics('Phòng Kinh tế – Hạ tầng – Đô thị “gấp”…');
    expect(folded).toBe('Phong Kinh te - Ha tang - Do thi "gap"...');
    expect(isGsm7(folded)).toBe(true);
  });

  it('keeps text as NFC whichever form it came in', () => {
    expect(withoutDiacritics('Hoa\u0300')).toBe('Hoa');
  });
});
