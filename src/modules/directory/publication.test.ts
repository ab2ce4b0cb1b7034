import { describe, expect, it } from 'vitest';
import { casePublication, defaultPublication } from './publication.ts';

describe('publication', () => {
  it('makes security, public order, police, complaint and denunciation categories status_only', () => {
    expect(defaultPublication('public_security', 'An ninh trật tự')).toBe('status_only');
    expect(defaultPublication('police', 'Công an')).toBe('status_only');
    expect(defaultPublication('khieu_nai', 'Khiếu nại, tố cáo')).toBe('status_only');
    expect(defaultPublication('x1', 'Trật tự công cộng')).toBe('status_only');
    expect(defaultPublication('complaints', 'Đơn thư')).toBe('status_only');
  });

  it('leaves the others public, urban order among them', () => {
    expect(defaultPublication('street_lighting', 'Chiếu sáng công cộng')).toBe('public');
    expect(defaultPublication('urban_order', 'Trật tự đô thị, lấn chiếm vỉa hè')).toBe('public');
    expect(defaultPublication('noise', 'Tiếng ồn')).toBe('public');
  });

  it('makes a confidential reporter’s case status_only whatever its category says', () => {
    expect(casePublication('public', true)).toBe('status_only');
    expect(casePublication('public', false)).toBe('public');
    expect(casePublication('status_only', false)).toBe('status_only');
    expect(casePublication(null, false)).toBe('public');
  });
});
