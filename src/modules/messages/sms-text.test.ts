import { describe, expect, it } from 'vitest';
import { withoutDiacritics } from '../../shared/vietnamese-text.ts';
import { smsSize } from './sms-text.ts';

describe('smsSize', () => {
  it('counts GSM text in 160-character messages and 153-character segments', () => {
    expect(smsSize('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(smsSize('a'.repeat(161))).toEqual({ encoding: 'gsm7', units: 161, segments: 2 });
    expect(smsSize('a'.repeat(306))).toEqual({ encoding: 'gsm7', units: 306, segments: 2 });
    expect(smsSize('a'.repeat(307))).toEqual({ encoding: 'gsm7', units: 307, segments: 3 });
  });

  it('counts extension characters twice and never splits one across segments', () => {
    expect(smsSize('€'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    // 152 units then an escape pair: the pair moves to the second segment.
    expect(smsSize(`${'a'.repeat(152)}€${'a'.repeat(10)}`).segments).toBe(2);
    expect(smsSize(`${'a'.repeat(152)}${'€'.repeat(77)}`)).toEqual({
      encoding: 'gsm7',
      units: 306,
      segments: 3,
    });
  });

  it('needs UCS-2 for Vietnamese with diacritics: 70 a message, 67 a segment', () => {
    expect(smsSize('Đ'.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, segments: 1 });
    expect(smsSize('Đ'.repeat(71))).toEqual({ encoding: 'ucs2', units: 71, segments: 2 });
    expect(smsSize('Đ'.repeat(134))).toEqual({ encoding: 'ucs2', units: 134, segments: 2 });
    expect(smsSize('Đ'.repeat(135))).toEqual({ encoding: 'ucs2', units: 135, segments: 3 });
  });

  it('keeps a surrogate pair in one segment', () => {
    expect(smsSize(`${'a'.repeat(66)}😀`.repeat(2))).toEqual({ encoding: 'ucs2', units: 136, segments: 3 });
  });

  it('takes the accented letters GSM has (é, è, à) as GSM, and the rest of Vietnamese as UCS-2', () => {
    expect(smsSize('café à la mode').encoding).toBe('gsm7');
    expect(smsSize('Đã tiếp nhận').encoding).toBe('ucs2');
    expect(smsSize(withoutDiacritics('Đã tiếp nhận')).encoding).toBe('gsm7');
  });
});
