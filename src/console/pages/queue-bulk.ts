import type { FastifyInstance } from 'fastify';
import type { UserPrincipal } from '../../modules/auth/principal.ts';
import { listCasesQuery } from '../../modules/cases/case-schemas.ts';
import { parseSearch } from '../../modules/cases/case-search.ts';
import { assignBody, rejectBody } from '../../modules/workflow/action-schemas.ts';
import { rules } from '../../modules/workflow/state-machine.ts';
import { AppError, forbidden } from '../../shared/errors.ts';
import { activeCategories, type ConsoleDeps, sendFragment, sendPage, sessionOf } from '../context.ts';
import { html } from '../html.ts';
import { notice } from '../layout.ts';
import { vi } from '../vi.ts';
import type { RenderQueue } from './queue.ts';
import { BULK_LIMIT, type BulkState } from './queue-triage.ts';

/** Who may act on many cases at once: whoever the state machine lets dispatch and refuse (intake). */
export const mayBulkAct = (who: UserPrincipal) =>
  rules.assign.roles.includes(who.role) && rules.reject.roles.includes(who.role) && who.wardId !== null;

/** A checked row: the case's id and the version the person saw (`id:version`). */
const pickPattern = /^(\d{1,18}):(\d{1,9})$/;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(text);

type RowResult = { id: string; code: string; ok: boolean; text: string };

/**
 * The bulk forms of "Chờ phân loại": dispatch the checked cases to a department, or refuse them as
 * duplicates of one original. Each case goes through the same workflow call as its own page's form
 * (actions.assign / actions.reject) with its own If-Match — the version its row carried — one
 * transaction each, one after another: one that fails (changed meanwhile, wrong status, not found)
 * leaves the others done, and the result page says, row by row, what happened. A form sent again
 * acts on nothing twice: every row's version is stale by then (412), which the result names as
 * "already done" when the case is as this form would have left it.
 */
export async function bulkRoutes(
  app: FastifyInstance,
  { container, render }: ConsoleDeps & { render: RenderQueue },
) {
  const { cases, actions, directory } = container;

  app.post('/queue/bulk', async (req, reply) => {
    const s = sessionOf(req);
    const who = s.principal;
    if (!mayBulkAct(who)) throw forbidden();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const op = body.op === 'duplicate' ? 'duplicate' : 'assign';
    const values: BulkState['values'] = {
      departmentId: text(body.departmentId),
      categoryCode: text(body.categoryCode),
      note: text(body.note),
      original: text(body.original),
      duplicateNote: text(body.duplicateNote),
    };
    const picks = new Map<string, string>();
    for (const raw of list(body.pick)) {
      const m = pickPattern.exec(raw);
      if (m?.[1] && m[2] && !picks.has(m[1])) picks.set(m[1], m[2]);
    }
    const errors: BulkState['errors'] = {};
    if (picks.size === 0) errors.pick = vi.bulk.noneSelected;
    else if (picks.size > BULK_LIMIT) errors.pick = vi.bulk.tooMany(BULK_LIMIT);

    const departments = (await directory.listDepartments(who, who.wardId ?? undefined, { limit: 100 })).items;
    const department = departments.find((d) => d.id === values.departmentId && d.active);
    let original: { id: string; code: string } | undefined;
    if (op === 'assign') {
      if (!values.departmentId) errors.departmentId = vi.bulk.needDepartment;
      else if (!department) errors.departmentId = vi.bulk.unknownDepartment;
      if (
        values.categoryCode &&
        !(await activeCategories(container)).some((c) => c.code === values.categoryCode)
      )
        errors.categoryCode = vi.bulk.unknownCategory;
    } else {
      const code = (values.original ?? '').toUpperCase();
      if (!code) errors.original = vi.bulk.needOriginal;
      else {
        // A whole case code only: looked up by the code's unique index, in the caller's scope (the ward).
        const [asCode] = parseSearch(code).codes;
        const found = asCode
          ? (await cases.list(who, listCasesQuery.parse({ q: asCode, limit: '1' }))).items.find(
              (c) => c.code === asCode,
            )
          : undefined;
        if (!found) errors.original = vi.bulk.originalNotFound;
        else if (picks.has(found.id)) errors.original = vi.bulk.originalSelected;
        else original = { id: found.id, code: found.code };
      }
    }
    if (Object.keys(errors).length > 0)
      return render(req, reply, 'triage', {
        status: 400,
        bulk: { picked: new Set(picks.keys()), values, errors },
      });

    const results: RowResult[] = [];
    for (const [id, version] of picks) {
      let code = id;
      try {
        const kase = await cases.get(who, id);
        code = kase.code;
        if (op === 'assign' && department) {
          await actions.assign(
            who,
            id,
            `"${version}"`,
            assignBody.parse({
              departmentId: department.id,
              note: values.note || undefined,
              // Only a case without a category is classified here; the others keep theirs.
              categoryCode: kase.categoryCode === null ? values.categoryCode || undefined : undefined,
            }),
          );
          results.push({ id, code, ok: true, text: vi.bulk.assigned(department.name) });
        } else if (original) {
          await actions.reject(
            who,
            id,
            `"${version}"`,
            rejectBody.parse({
              reason: 'duplicate',
              duplicateOf: original.id,
              note: values.duplicateNote || undefined,
            }),
          );
          results.push({ id, code, ok: true, text: vi.bulk.rejected(original.code) });
        }
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) throw err;
        results.push({ id, code, ok: false, text: await reasonOf(err, id) });
      }
    }

    /** Why a row was not done, in Vietnamese; a stale version is "already done" when it was this form. */
    async function reasonOf(err: AppError, id: string): Promise<string> {
      if (err.statusCode === 404) return vi.bulk.notFound;
      if (err.statusCode === 403) return vi.bulk.forbidden;
      if (err.statusCode !== 412) return err.message;
      const now = await cases.get(who, id).catch(() => null);
      const done =
        op === 'assign'
          ? now?.status !== 'received' && now?.departmentId === department?.id
          : now?.status === 'rejected' && now.duplicateOf === original?.id;
      return done ? vi.bulk.alreadyDone : vi.bulk.changed;
    }

    const done = results.filter((r) => r.ok).length;
    const main = html`<h1>${vi.bulk.resultTitle}</h1>
${notice('info', vi.bulk.summary(done, results.length), true)}
<table class="cases bulk-result"><thead><tr><th scope="col">${vi.bulk.columns.code}</th><th scope="col">${vi.bulk.columns.result}</th></tr></thead>
<tbody>${results.map(
      (r) =>
        html`<tr class="${r.ok ? 'done' : 'failed'}"><td><a href="/console/cases/${r.id}">${r.code}</a></td><td>${
          r.ok
            ? html`<span class="flag done" aria-hidden="true">✓</span> <span class="visually-hidden">${vi.bulk.ok}: </span>`
            : html`<span class="flag overdue" aria-hidden="true">✗</span> <span class="visually-hidden">${vi.bulk.failed}: </span>`
        }${r.text}</td></tr>`,
    )}</tbody></table>
<p><a href="/console/queue?view=triage">${vi.bulk.back}</a></p>`;
    if (req.headers['hx-request']) return sendFragment(reply, main);
    return sendPage(req, reply, container, { title: vi.bulk.resultTitle, current: 'queue' }, main);
  });
}
