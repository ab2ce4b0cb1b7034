import { describe, expect, it } from 'vitest';
import { mayChangeState } from './same-origin.ts';

const post = (headers: Record<string, string>) => ({
  method: 'POST',
  headers: { host: 'pakn.example.vn', ...headers },
});

describe('mayChangeState', () => {
  it('refuses a cross-site request, whatever a no-cors request leaves out', () => {
    expect(mayChangeState(post({ origin: 'https://evil.example' }))).toBe(false);
    expect(mayChangeState(post({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }))).toBe(
      false,
    );
    expect(mayChangeState(post({ 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(mayChangeState(post({ origin: 'null' }))).toBe(false);
  });

  it('lets the page itself, a typed address and non-browser clients through', () => {
    expect(mayChangeState(post({ 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(mayChangeState(post({ 'sec-fetch-site': 'none' }))).toBe(true);
    expect(mayChangeState(post({ origin: 'https://pakn.example.vn' }))).toBe(true);
    expect(mayChangeState(post({}))).toBe(true);
  });

  it('never refuses a read', () => {
    expect(mayChangeState({ method: 'GET', headers: { origin: 'https://evil.example' } })).toBe(true);
  });
});
