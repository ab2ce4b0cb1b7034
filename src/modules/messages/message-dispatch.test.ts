import { describe, expect, it } from 'vitest';
import { admitByPhone, outcomeOf } from './message-dispatch.ts';

const policy = { maxAttempts: 4, backoffMs: 1_000 };

describe('outcomeOf', () => {
  it('settles a sent message as delivered', () => {
    expect(outcomeOf({ ok: true, statusCode: 200 }, 1, policy)).toEqual({
      status: 'delivered',
      retryInMs: 0,
    });
  });

  it('tries a failed message again after a doubling wait, until the last try', () => {
    const failed = { ok: false as const, statusCode: 503, error: 'HTTP 503' };
    expect(outcomeOf(failed, 1, policy)).toEqual({ status: 'pending', retryInMs: 1_000 });
    expect(outcomeOf(failed, 3, policy)).toEqual({ status: 'pending', retryInMs: 4_000 });
    expect(outcomeOf(failed, 4, policy)).toEqual({ status: 'failed', retryInMs: 0 });
  });

  it('gives up at once on what the gateway refused', () => {
    expect(outcomeOf({ ok: false, statusCode: 400, error: 'HTTP 400', final: true }, 1, policy)).toEqual({
      status: 'failed',
      retryInMs: 0,
    });
  });
});

describe('admitByPhone', () => {
  const m = (id: string, phoneKey: string, firstTry = true) => ({ id, phoneKey, firstTry });

  it('holds back what would take a number past the limit in the window, first come first served', () => {
    const { send, hold } = admitByPhone(
      [m('a', '84911'), m('b', '84911'), m('c', '84922'), m('d', '84911'), m('e', '84922')],
      new Map([['84911', 1]]),
      3,
    );
    expect(send.map((x) => x.id)).toEqual(['a', 'b', 'c', 'e']);
    expect(hold.map((x) => x.id)).toEqual(['d']);
  });

  it('never holds a retry: it was admitted on its first try', () => {
    const { send, hold } = admitByPhone(
      [m('a', '84911', false), m('b', '84911')],
      new Map([['84911', 3]]),
      3,
    );
    expect(send.map((x) => x.id)).toEqual(['a']);
    expect(hold.map((x) => x.id)).toEqual(['b']);
  });
});
