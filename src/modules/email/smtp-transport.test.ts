import { describe, expect, it } from 'vitest';
import { smtpOutcome } from './smtp-transport.ts';

describe('SMTP failures', () => {
  it('gives up on a 5xx reply and tries again after a 4xx reply or a connection problem', () => {
    expect(smtpOutcome({ responseCode: 550, code: 'EENVELOPE', message: 'no such user' })).toMatchObject({
      ok: false,
      statusCode: 550,
      final: true,
    });
    expect(smtpOutcome({ responseCode: 451, code: 'EMESSAGE', message: 'try later' })).toMatchObject({
      statusCode: 451,
      final: false,
    });
    expect(smtpOutcome({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toMatchObject({
      statusCode: null,
      final: false,
      error: 'ECONNECTION: connect ECONNREFUSED',
    });
  });
});
