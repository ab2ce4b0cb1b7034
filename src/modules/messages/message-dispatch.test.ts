import { describe, expect, it } from 'vitest';
import { outcomeOf } from './message-dispatch.ts';

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
