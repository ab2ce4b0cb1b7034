import { describe, expect, it } from 'vitest';
import { formatOfUrl, renderErrors, toXml } from './open311-format.ts';
import { parseForm } from './open311-routes.ts';

describe('toXml', () => {
  it('wraps a list in its root, escapes text and writes nulls as empty elements', () => {
    expect(toXml('services', [{ service_code: 'a&b', description: null, metadata: true }], 'service')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<services>\n  <service>\n    <service_code>a&amp;b</service_code>\n    <description/>\n    <metadata>true</metadata>\n  </service>\n</services>\n',
    );
  });
  it('names the items of nested lists by the spec’s singulars', () => {
    const out = toXml('service_definition', {
      attributes: [{ code: 'u', values: [{ key: 'a', name: 'Â' }] }],
    });
    expect(out).toContain('<attributes>\n    <attribute>');
    expect(out).toContain('<values>\n        <value>\n          <key>a</key>\n          <name>Â</name>');
  });
});

describe('errors and formats', () => {
  it('renders the spec’s errors in both formats', () => {
    expect(renderErrors([{ code: 403, description: 'api_key không hợp lệ.' }], 'json')).toBe(
      '[{"code":403,"description":"api_key không hợp lệ."}]',
    );
    expect(renderErrors([{ code: 403, description: 'x' }], 'xml')).toContain(
      '<errors>\n  <error>\n    <code>403</code>\n    <description>x</description>',
    );
  });
  it('reads the format from the URL’s extension', () => {
    expect(formatOfUrl('/open311/v2/services.xml?jurisdiction_id=A')).toBe('xml');
    expect(formatOfUrl('/open311/v2/services.json')).toBe('json');
    expect(formatOfUrl('/open311/v2/services')).toBe('json');
  });
});

describe('parseForm', () => {
  it('reads attributes, leaves out empty fields', () => {
    expect(
      parseForm('service_code=a&lat=&attribute%5Burgency%5D=urgent&description=%C4%90%C3%A8n+h%E1%BB%8Fng'),
    ).toEqual({
      service_code: 'a',
      description: 'Đèn hỏng',
      attribute: { urgency: 'urgent' },
    });
  });
});
