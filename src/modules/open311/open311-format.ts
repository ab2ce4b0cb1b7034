import { XMLBuilder } from 'fast-xml-parser';
import type { Open311Format } from './open311-schemas.ts';

/**
 * GeoReport v2's two formats. JSON is the objects as they are; XML (which the spec requires) wraps
 * a list in its root element, one child element per item, with nulls as empty elements and lists
 * inside an item (a service's attributes and their values, discovery's endpoints and formats)
 * named by the spec's singular of each.
 */
const builder = new XMLBuilder({ format: true, suppressEmptyNode: true, processEntities: true });

/** What each list's items are called in XML. */
const itemNames: Record<string, string> = {
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

/**
 * What XML 1.0 may not carry (control characters, lone surrogates, U+FFFE/U+FFFF), as U+FFFD: input
 * refuses them today, but a row stored before must not break the feed for every reader.
 */
const xmlSafe = (s: string) =>
  s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');

function toXmlValue(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(toXmlValue);
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const item = itemNames[k];
        return [k, item && Array.isArray(v) ? { [item]: v.map(toXmlValue) } : toXmlValue(v)];
      }),
    );
  return xmlSafe(String(value));
}

const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An XML document: `root` holding `item` elements for a list, or `root`'s fields for an object. */
export function toXml(root: string, body: unknown, item?: string): string {
  const content = Array.isArray(body) && item ? { [item]: body.map(toXmlValue) } : toXmlValue(body);
  return declaration + builder.build({ [root]: content });
}

export const contentTypes: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** The format a URL asks for (its last extension); JSON when it names none or another. */
export const formatOfUrl = (url: string): Open311Format =>
  /\.xml$/i.test(url.split('?')[0] ?? '') ? 'xml' : 'json';

type Open311Error = { code: number; description: string };

/** The spec's errors: `[{ code, description }]`, or `<errors><error>…</error></errors>`. */
export const renderErrors = (errors: Open311Error[], format: Open311Format) =>
  format === 'xml' ? toXml('errors', errors, 'error') : JSON.stringify(errors);
