import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { multipart, samples } from '../support/multipart.ts';

/**
 * Attachments (issue 17): POST /api/v1/files takes one PDF or image, typed by its bytes; the file is
 * served to its uploader and to whoever may see a case whose answer refers to it — as a download.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let apiKey: string;
let kase: CaseJson;

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  const cat = await createCategory<{ code: string }>(t, { defaultDepartmentCode: 'ktht' });
  apiKey = await createApiClient(t);
  // Reported by the citizens' app: assigned to infra at once.
  kase = await postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code, { categoryCode: cat.code }));
  await call(
    t.app,
    { method: 'POST', url: `/api/v1/cases/${kase.id}/accept`, headers: bearer(ward.tokens.infraHead) },
    200,
  );
}, 60_000);
afterAll(() => t.close());

const upload = (token: string | null, filename: string, bytes: Buffer, type = 'application/pdf') =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/files',
    ...(() => {
      const body = multipart([{ name: 'file', filename, type, bytes }]);
      return { payload: body.payload, headers: { ...body.headers, ...(token ? bearer(token) : {}) } };
    })(),
  });
const uploaded = async (token: string, filename = 'cong-van.pdf', bytes = samples.pdf) => {
  const res = await upload(token, filename, bytes);
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; url: string; mediaType: string; name: string; size: number };
};
const fetchFile = (headers: Record<string, string>, url: string) =>
  t.app.inject({ method: 'GET', url, headers });
const respond = (token: string, id: string, body: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/respond`, headers: bearer(token), payload: body });

const expectProblem = (
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) => {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const problem = res.json() as { status: number; detail: string };
  expect(problem.status).toBe(status);
  return problem;
};

describe('uploading', () => {
  it('takes each accepted kind, typed by its bytes whatever the name and the claimed type', async () => {
    const cases = [
      ['Công văn trả lời.pdf'.normalize('NFD'), samples.pdf, 'application/pdf', 'Công văn trả lời.pdf'],
      ['anh-hien-truong.jpg', samples.jpeg, 'image/jpeg', 'anh-hien-truong.jpg'],
      ['scan.bin', samples.png, 'image/png', 'scan.bin.png'],
      ['ban-do.webp', samples.webp, 'image/webp', 'ban-do.webp'],
    ] as const;
    for (const [filename, bytes, mediaType, name] of cases) {
      const res = await upload(ward.tokens.infraHead, filename, bytes, 'text/html');
      expect(res.statusCode).toBe(201);
      const file = res.json();
      expect(file).toEqual({
        id: file.id,
        url: `/api/v1/files/${file.id}`,
        mediaType,
        name,
        size: bytes.length,
      });
      expect(res.headers.location).toBe(file.url);
      const row = await t.container.db
        .selectFrom('files')
        .select(['sha256', 'ward_id', 'name'])
        .where('id', '=', file.id)
        .executeTakeFirstOrThrow();
      expect(row.ward_id).toBe(ward.id);
      expect(row.name).toBe(name.normalize('NFC'));
      expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('refuses an HTML page named .pdf and sent as application/pdf (415), saying so in Vietnamese', async () => {
    const problem = expectProblem(await upload(ward.tokens.infraHead, 'tra-loi.pdf', samples.html), 415);
    expect(problem.detail).toContain('không phải PDF, JPEG, PNG hay WebP');
  });

  it('refuses a file over 10 MB with 413, none at all or two with 400, and a body that is not multipart with 415', async () => {
    const big = Buffer.concat([samples.pdf, Buffer.alloc(10 * 1024 * 1024 + 1 - samples.pdf.length, 0x20)]);
    expectProblem(await upload(ward.tokens.infraHead, 'lon.pdf', big), 413);
    const exactly = Buffer.concat([samples.pdf, Buffer.alloc(10 * 1024 * 1024 - samples.pdf.length, 0x20)]);
    expect((await upload(ward.tokens.infraHead, 'vua.pdf', exactly)).statusCode).toBe(201);

    const two = multipart([
      { name: 'file', filename: 'a.pdf', bytes: samples.pdf },
      { name: 'file', filename: 'b.pdf', bytes: samples.pdf },
    ]);
    const auth = bearer(ward.tokens.infraHead);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/files',
        payload: two.payload,
        headers: { ...two.headers, ...auth },
      }),
      400,
    );
    const none = multipart([{ name: 'note', value: 'x' }]);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/files',
        payload: none.payload,
        headers: { ...none.headers, ...auth },
      }),
      400,
    );
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: { file: 'x' }, headers: auth }),
      415,
    );
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/files',
        payload: '{"note":"x"}',
        headers: { ...auth, 'content-type': 'multipart/form-data; boundary=x' },
      }),
      400,
    );
  });

  it('is for signed-in staff: 401 without a token, 403 for a channel app', async () => {
    expectProblem(await upload(null, 'a.pdf', samples.pdf), 401);
    const body = multipart([{ name: 'file', filename: 'a.pdf', bytes: samples.pdf }]);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/files',
        payload: body.payload,
        headers: { ...body.headers, 'x-api-key': apiKey },
      }),
      403,
    );
  });
});

describe('downloading', () => {
  it('gives the uploader their own upload as a download of its sniffed type; nobody else while no case refers to it', async () => {
    const file = await uploaded(ward.tokens.infraHead, 'Công văn số 12.pdf');
    const res = await fetchFile(bearer(ward.tokens.infraHead), file.url);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(samples.pdf)).toBe(true);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Cong van so 12.pdf"; filename*=UTF-8''${encodeURIComponent('Công văn số 12.pdf')}`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toMatch(/\bprivate\b/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");

    for (const token of [ward.tokens.infraOfficer, ward.tokens.intake, other.tokens.infraHead])
      expectProblem(await fetchFile(bearer(token), file.url), 404);
    expectProblem(await fetchFile({}, file.url), 401);
    expectProblem(await fetchFile({ 'x-api-key': apiKey }, file.url), 404);
    expectProblem(await fetchFile(bearer(ward.tokens.infraHead), '/api/v1/files/999999999999'), 404);
  });

  it('once the answer refers to it: the case’s viewers and the app that filed it may fetch it; another department, another ward and another app may not', async () => {
    const file = await uploaded(ward.tokens.infraHead, 'tra-loi-ky.pdf');
    const res = await respond(ward.tokens.infraHead, kase.id, {
      answer: 'Đã thay bóng đèn; công văn trả lời kèm theo.',
      attachments: [{ url: file.url, mediaType: 'text/html' }, { url: 'https://example.org/anh.jpg' }],
    });
    expect(res.statusCode).toBe(200);
    // The stored type and name, not what the answer claimed; the external address as it was.
    expect(res.json().answer.attachments).toEqual([
      { url: file.url, mediaType: 'application/pdf', name: 'tra-loi-ky.pdf' },
      { url: 'https://example.org/anh.jpg' },
    ]);

    for (const token of [
      ward.tokens.infraHead,
      ward.tokens.infraOfficer,
      ward.tokens.intake,
      ward.tokens.chairman,
    ]) {
      const got = await fetchFile(bearer(token), file.url);
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-disposition']).toMatch(/^attachment;/);
    }
    expect((await fetchFile(bearer(t.adminToken), file.url)).statusCode).toBe(200);
    expectProblem(await fetchFile(bearer(ward.tokens.cultureHead), file.url), 404);
    expectProblem(await fetchFile(bearer(other.tokens.infraHead), file.url), 404);
    // The signed reply, for the app that filed the case to show the citizen; not for another app.
    const byApp = await fetchFile({ 'x-api-key': apiKey }, file.url);
    expect(byApp.statusCode).toBe(200);
    expect(byApp.rawPayload.equals(samples.pdf)).toBe(true);
    expectProblem(await fetchFile({ 'x-api-key': await createApiClient(t) }, file.url), 404);
    // The citizen's own view of the case names no file.
    const pub = await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${kase.code}` });
    expect(pub.body).not.toContain('/api/v1/files/');
  });
});

describe('answering with a file', () => {
  const freshCase = async () => {
    const cat = await createCategory<{ code: string }>(t, { defaultDepartmentCode: 'ktht' });
    const c = await postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code, { categoryCode: cat.code }));
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${c.id}/accept`, headers: bearer(ward.tokens.infraHead) },
      200,
    );
    return c;
  };

  it("accepts only the caller's own uploads of the case's ward; the case is left unanswered otherwise", async () => {
    const c = await freshCase();
    const othersFile = await uploaded(ward.tokens.cultureHead);
    const otherWardsFile = await uploaded(other.tokens.infraHead);
    for (const f of [othersFile, otherWardsFile]) {
      const problem = expectProblem(
        await respond(ward.tokens.infraHead, c.id, { answer: 'Trả lời.', attachments: [{ url: f.url }] }),
        400,
      ) as { errors?: { path: string }[] };
      expect(problem.errors?.[0]?.path).toBe('attachments.0.url');
    }
    expectProblem(
      await respond(ward.tokens.infraHead, c.id, {
        answer: 'Trả lời.',
        attachments: [{ url: '/api/v1/files/999999999' }],
      }),
      400,
    );
    expectProblem(
      await respond(ward.tokens.infraHead, c.id, {
        answer: 'Trả lời.',
        attachments: [{ url: '/etc/passwd' }],
      }),
      400,
    );
    const still = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/cases/${c.id}`, headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    expect(still.status).toBe('in_progress');
    // The culture head's file stays theirs alone: a refused answer links nothing.
    expectProblem(await fetchFile(bearer(ward.tokens.infraHead), othersFile.url), 404);
  });

  it("an officer's proposal with their file: the head may fetch it and answer with it; the file follows the approval", async () => {
    const c = await freshCase();
    const file = await uploaded(ward.tokens.infraOfficer, 'de-xuat.pdf');
    const proposed = await respond(ward.tokens.infraOfficer, c.id, {
      answer: 'Đề xuất trả lời.',
      attachments: [{ url: file.url }],
    });
    expect(proposed.statusCode).toBe(201);
    expect((await fetchFile(bearer(ward.tokens.infraHead), file.url)).statusCode).toBe(200);
    expectProblem(await fetchFile(bearer(ward.tokens.cultureHead), file.url), 404);
    // A draft answer is the ward's own business: the app that filed the case sees its file only once sent.
    expectProblem(await fetchFile({ 'x-api-key': apiKey }, file.url), 404);
    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${c.id}/answer-proposals/${proposed.json().id}/approve`,
      headers: bearer(ward.tokens.infraHead),
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().answer.attachments).toEqual([
      { url: file.url, mediaType: 'application/pdf', name: 'de-xuat.pdf' },
    ]);
    expect((await fetchFile({ 'x-api-key': apiKey }, file.url)).statusCode).toBe(200);
  });
});
