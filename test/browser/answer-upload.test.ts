import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearer } from '../support/app.ts';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  type ServedConsole,
  screenshot,
  serveConsole,
  signIn,
} from '../support/browser.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createCategory, createStaff, createWard } from '../support/fixtures.ts';

/**
 * The signed reply in Chromium: a department head accepts a case and answers it with a PDF chosen in
 * the answer form; the case page then links the file, and the page passes axe.
 */
let browser: Browser;
let served: ServedConsole;
let head: { username: string; password: string };
let caseId: string;

/** A small, valid one-page PDF, made here (no file in the repository). */
function tinyPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t);
  const cat = await createCategory<{ code: string }>(served.t, { defaultDepartmentCode: 'ktht' });
  head = await createStaff(served.t, 'department_head', {
    departmentId: ward.departments.infra.id,
    fullName: 'Trần Văn Hùng',
  });
  caseId = (
    await postCase(
      served.t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode: cat.code }),
    )
  ).id;
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('the signed reply', () => {
  test('a department head answers with an uploaded PDF and sees it linked on the case page', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await signIn(page, served.base, head);
      await page.goto(`${served.base}/console/cases/${caseId}`);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Nhận xử lý' }).click(),
      ]);
      await page.fill('#answer', 'Đã sửa đèn đường; công văn trả lời đã ký kèm theo.');
      await page
        .getByLabel('Tệp đính kèm (văn bản trả lời đã ký, ảnh)')
        .setInputFiles({ name: 'Công văn trả lời.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
      const sent = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Gửi trả lời' }).click();
      expect((await sent).status()).toBe(303);
      await page.waitForLoadState('load');
      await expect(page.locator('h1 .status').textContent()).resolves.toBe('Đã trả lời');
      const link = page.locator('ul.attachments a');
      await expect(link.textContent()).resolves.toBe('Công văn trả lời.pdf');
      await expect(link.getAttribute('href')).resolves.toMatch(/^\/console\/files\/\d+$/);
      await expect(page.locator('ul.attachments li').textContent()).resolves.toMatch(/PDF, \d+ KB/);
      // The link downloads the file (never shown inline).
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('Công văn trả lời.pdf');
      await expectAccessible(page, 'the case page with the answer and its file');
      await screenshot(page, 'case-answer-file');
    } finally {
      await context.close();
    }
  });
});
