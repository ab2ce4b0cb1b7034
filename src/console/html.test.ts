import { describe, expect, it } from 'vitest';
import { html } from './html.ts';

describe('html', () => {
  it('escapes interpolated text, attributes included, and keeps nested templates as markup', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    const inner = html`<b>${name}</b>`;
    const out = html`<p title="${name}">${inner}${[1, null, false, undefined, 'a']}</p>`.toString();
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">' +
        '<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</b>1a</p>',
    );
  });
});
