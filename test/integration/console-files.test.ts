import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { asUser, type ConsoleUser, form, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';
import { multipart, type Part, samples } from '../support/multipart.ts';

/**
 * The signed reply in the console (issue 17): the case page's answer form takes files with the
 * answer (multipart), under the same anti-forgery rule as every form; a bad file is said beside the
 * field and nothing is stored; the answer's files are download links served by the case scope.
 */
let t: TestApp;
let ward: Ward;
let head: ConsoleUser;
let headId: string;
let cultureHead: ConsoleUser;
let categoryCode: string;
const password = 'password-123';

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  categoryCode = (await createCategory<{ code: string }>(t, { defaultDepartmentCode: 'ktht' })).code;
  const [h, c] = await Promise.all([
    createStaff(t, 'department_head', { departmentId: ward.departments.infra.id }, password),
    createStaff(t, 'department_head', { departmentId: ward.departments.culture.id }, password),
  ]);
  [head, cultureHead] = await Promise.all([
    signInConsole(t, h.username, password),
    signInConsole(t, c.username, password),
  ]);
  headId = (
    await t.container.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', h.username)
      .executeTakeFirstOrThrow()
  ).id;
}, 60_000);
afterAll(() => t.close());

/** A case of the ward, assigned to infra and accepted by the head in the console. */
async function acceptedCase(): Promise<CaseJson> {
  const c = await postCase(
    t.app,
    bearer(ward.tokens.intake),
    caseBody(ward.code, { channel: 'walk_in', categoryCode }),
  );
  const res = await t.app.inject(
    asUser(head, {
      method: 'POST',
      url: `/console/cases/${c.id}/accept`,
      ...form({ _csrf: head.csrf, version: String(c.version) }),
    }),
  );
  expect(res.statusCode).toBe(303);
  return c;
}
const pageOf = async (user: ConsoleUser, id: string) =>
  htmlOf(await t.app.inject(asUser(user, { method: 'GET', url: `/console/cases/${id}` })));
const versionOn = async (id: string) =>
  (await pageOf(head, id))
    .querySelector('form[action$="/respond"] input[name=version]')
    ?.getAttribute('value') ?? '';
const answerWith = (user: ConsoleUser, id: string, parts: Part[], headers: Record<string, string> = {}) => {
  const body = multipart(parts);
  return t.app.inject(
    asUser(user, {
      method: 'POST',
      url: `/console/cases/${id}/respond`,
      payload: body.payload,
      headers: { ...body.headers, ...headers },
    }),
  );
};
const filesOf = async (userId: string) =>
  Number(
    (
      await t.container.db
        .selectFrom('files')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('uploaded_by_user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const statusOf = async (id: string) => textOf((await pageOf(head, id)).querySelector('h1 .status'));

describe('the answer form', () => {
  it('offers a file input for PDFs and images, in a multipart form whose first field is the token', async () => {
    const c = await acceptedCase();
    const f = (await pageOf(head, c.id)).querySelector('form[action$="/respond"]');
    expect(f?.getAttribute('enctype')).toBe('multipart/form-data');
    expect(f?.querySelector('input')?.getAttribute('name')).toBe('_csrf');
    const input = f?.querySelector('input[type=file]');
    expect(input?.getAttribute('accept')).toBe('application/pdf,image/jpeg,image/png,image/webp');
    expect(input?.hasAttribute('multiple')).toBe(true);
    expect(textOf(f?.querySelector(`label[for=${input?.getAttribute('id')}]`))).toContain('Tệp đính kèm');
  });

  it('answers with an uploaded PDF: the case page links the file with its name and size, served only in scope', async () => {
    const c = await acceptedCase();
    const res = await answerWith(head, c.id, [
      { name: '_csrf', value: head.csrf },
      { name: 'version', value: await versionOn(c.id) },
      { name: 'answer', value: 'Đã sửa đèn; công văn trả lời đã ký kèm theo.' },
      { name: 'files', filename: 'Công văn 15-UBND.pdf', type: 'application/pdf', bytes: samples.pdf },
      // The browser sends an empty part for a second file input left empty: skipped.
    ]);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/cases/${c.id}`);
    const page = await pageOf(head, c.id);
    expect(textOf(page.querySelector('h1 .status'))).toBe('Đã trả lời');
    const link = page.querySelector(
      '#answer ~ ul.attachments a, section[aria-labelledby=answer] ul.attachments a',
    );
    expect(textOf(link)).toBe('Công văn 15-UBND.pdf');
    expect(textOf(link?.parentNode)).toContain('PDF');
    expect(textOf(link?.parentNode)).toMatch(/\d+ KB/);
    const href = link?.getAttribute('href') as string;
    expect(href).toMatch(/^\/console\/files\/\d+$/);

    const download = await t.app.inject(asUser(head, { method: 'GET', url: href }));
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(samples.pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="Cong van 15-UBND.pdf"/);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    // Another department's head sees neither the case nor its file.
    expect((await t.app.inject(asUser(cultureHead, { method: 'GET', url: href }))).statusCode).toBe(404);
    // Without a session: to the sign-in page, not the file.
    expect((await t.app.inject({ method: 'GET', url: href, remoteAddress: '127.0.0.1' })).statusCode).toBe(
      303,
    );
  });

  it('refuses a multipart answer without the token, or with the token only after the file: 403, nothing stored or answered', async () => {
    const c = await acceptedCase();
    const before = await filesOf(headId);
    const version = await versionOn(c.id);
    const pdf: Part = { name: 'files', filename: 'a.pdf', type: 'application/pdf', bytes: samples.pdf };
    const answer: Part = { name: 'answer', value: 'Trả lời giả mạo.' };
    for (const parts of [
      [{ name: 'version', value: version }, answer, pdf],
      [{ name: 'version', value: version }, answer, pdf, { name: '_csrf', value: head.csrf }],
      [
        { name: '_csrf', value: 'x'.repeat(head.csrf.length) },
        { name: 'version', value: version },
        answer,
        pdf,
      ],
      [{ name: 'version', value: version }, answer],
    ] as Part[][]) {
      const res = await answerWith(head, c.id, parts);
      expect(res.statusCode).toBe(403);
      expect(textOf(htmlOf(res).querySelector('[role=alert]'))).toContain(
        'Yêu cầu không đến từ trang của hệ thống',
      );
    }
    // A wrong header is refused even with the right field.
    const wrongHeader = await answerWith(
      head,
      c.id,
      [{ name: '_csrf', value: head.csrf }, { name: 'version', value: version }, answer, pdf],
      { 'x-csrf-token': 'y'.repeat(head.csrf.length) },
    );
    expect(wrongHeader.statusCode).toBe(403);
    expect(await filesOf(headId)).toBe(before);
    expect(await statusOf(c.id)).toBe('Đang xử lý');
  });

  it('says beside the field when a file is not a PDF or an image (an HTML page named .pdf): 400, the answer kept, nothing stored', async () => {
    const c = await acceptedCase();
    const before = await filesOf(headId);
    const res = await answerWith(head, c.id, [
      { name: '_csrf', value: head.csrf },
      { name: 'version', value: await versionOn(c.id) },
      { name: 'answer', value: 'Câu trả lời đang soạn.' },
      { name: 'files', filename: 'anh.png', type: 'image/png', bytes: samples.png },
      { name: 'files', filename: 'tra-loi.pdf', type: 'application/pdf', bytes: samples.html },
    ]);
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    const input = page.querySelector('#answer-files');
    expect(input?.getAttribute('aria-invalid')).toBe('true');
    expect(input?.getAttribute('aria-describedby')).toContain('answer-files-error');
    expect(textOf(page.querySelector('#answer-files-error'))).toBe(
      'Tệp "tra-loi.pdf" không phải PDF hay ảnh JPEG, PNG, WebP (xét theo nội dung tệp, không theo tên). Hãy chọn tệp khác.',
    );
    expect(textOf(page.querySelector('#answer'))).toBe('Câu trả lời đang soạn.');
    expect(await filesOf(headId)).toBe(before);
    expect(await statusOf(c.id)).toBe('Đang xử lý');
  });

  it('a stale answer (412) keeps no file it brought; a plain form without files still answers', async () => {
    const c = await acceptedCase();
    const before = await filesOf(headId);
    const stale = await answerWith(head, c.id, [
      { name: '_csrf', value: head.csrf },
      { name: 'version', value: '1' },
      { name: 'answer', value: 'Trả lời.' },
      { name: 'files', filename: 'a.pdf', type: 'application/pdf', bytes: samples.pdf },
    ]);
    expect(stale.statusCode).toBe(412);
    expect(await filesOf(headId)).toBe(before);
    const plain = await t.app.inject(
      asUser(head, {
        method: 'POST',
        url: `/console/cases/${c.id}/respond`,
        ...form({ _csrf: head.csrf, version: await versionOn(c.id), answer: 'Trả lời không kèm tệp.' }),
      }),
    );
    expect(plain.statusCode).toBe(303);
    expect(await statusOf(c.id)).toBe('Đã trả lời');
  });
});
