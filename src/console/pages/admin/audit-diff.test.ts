import { describe, expect, it } from 'vitest';
import { auditChanges } from './audit-diff.ts';

describe('the audit trail’s change of fields', () => {
  it('lists the fields that differ, with their values before and after', () => {
    expect(
      auditChanges(
        { name: 'Phường A', active: true, version: 1 },
        { name: 'Phường B', active: true, version: 2 },
      ),
    ).toEqual([
      { field: 'name', before: 'Phường A', after: 'Phường B' },
      { field: 'version', before: '1', after: '2' },
    ]);
  });

  it('shows a creation as every field it was made with, and never a field named like a secret', () => {
    expect(
      auditChanges(null, {
        url: 'https://x.test/h',
        secret: 's3cr3t-s3cr3t-s3cr3t',
        events: ['case.created'],
      }),
    ).toEqual([
      { field: 'url', before: null, after: 'https://x.test/h' },
      { field: 'events', before: null, after: '["case.created"]' },
    ]);
  });
});
