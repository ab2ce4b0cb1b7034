import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { listResultSchema } from '../../modules/campaigns/campaign-schemas.ts';
import { listTemplateXlsx } from '../../modules/campaigns/campaign-xlsx.ts';
import { unitKindLabels } from '../../modules/campaigns/unit-kinds.ts';
import { AppError } from '../../shared/errors.ts';
import { type ConsoleDeps, sendFragment, sessionOf } from '../context.ts';
import { when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';
import { readConsoleForm } from '../multipart-form.ts';
import { vi } from '../vi.ts';
import { staffActor } from './admin/guards.ts';
import {
  type CampaignView,
  campaignHeading,
  campaignOf,
  campaignTabs,
  cell,
  doneNotice,
  idParam,
  sendCampaignPage,
  submitters,
} from './campaign-common.ts';
import { count } from './campaign-format.ts';

const t = vi.campaigns;
const up = t.upload;

type ListResult = z.output<typeof listResultSchema>;
type UnitView = Awaited<ReturnType<ConsoleDeps['container']['campaigns']['unit']>>;

/** The dry run's rows shown on the page: enough to see how the file was read, not a 20,000-row page. */
const shownRows = 300;
const rowsPerPage = 50;

/** What the report region holds: the result of a check or a refusal of the file. */
type Report = { result: ListResult } | { fileError: string; reChoose?: boolean };

/** The report of a dry run: counts, every problem with its row and column, the notes, the rows read. */
function reportOf(r: ListResult, unit: UnitView, o: { plain: boolean }): SafeHtml {
  const problemRows = new Set(r.problems.map((p) => p.row)).size;
  const pc = up.problemColumns;
  const uc = up.understoodColumns;
  const byRow = <T extends { row: number }>(items: T[]) => [...items].sort((a, b) => a.row - b.row);
  const problems = r.problems.length
    ? html`<table class="cases campaign problems"><caption>${up.problems} (${r.problems.length})</caption>
<thead><tr><th scope="col">${pc.row}</th><th scope="col">${pc.column}</th><th scope="col">${pc.message}</th></tr></thead>
<tbody>${byRow(r.problems).map((p) => html`<tr><th scope="row">${p.row}</th>${cell(pc.column, p.column ?? '')}${cell(pc.message, p.message)}</tr>`)}</tbody></table>`
    : html`<p>${up.noProblems}</p>`;
  const notes = r.notes.length
    ? html`<table class="cases campaign notes"><caption>${up.notes} (${r.notes.length})</caption>
<thead><tr><th scope="col">${pc.row}</th><th scope="col">${pc.column}</th><th scope="col">${pc.message}</th></tr></thead>
<tbody>${byRow(r.notes).map((p) => html`<tr><th scope="row">${p.row}</th>${cell(pc.column, p.column ?? '')}${cell(pc.message, p.message)}</tr>`)}</tbody></table>`
    : '';
  const shown = r.understood.slice(0, shownRows);
  const understood = shown.length
    ? html`<table class="cases campaign understood"><caption>${up.understood}${r.understood.length > shown.length ? html` — ${up.understoodShown(count(shown.length), count(r.understood.length))}` : ''}</caption>
<thead><tr><th scope="col">${uc.row}</th><th scope="col">${uc.name}</th><th scope="col">${uc.phones}</th><th scope="col">${uc.organisation}</th><th scope="col">${uc.address}</th><th scope="col">${uc.household}</th><th scope="col">${uc.group}</th></tr></thead>
<tbody>${shown.map(
        (x) =>
          html`<tr><th scope="row">${x.row}</th>${cell(uc.name, x.name)}${cell(uc.phones, x.phones.join(', '))}${cell(uc.organisation, x.organisation ?? '')}${cell(uc.address, x.address ?? '')}${cell(uc.household, x.household ?? '')}${cell(uc.group, x.group ?? up.noGroup)}</tr>`,
      )}</tbody></table>`
    : notice('error', up.nothingAccepted);
  const confirm =
    r.accepted > 0
      ? html`<div class="confirm">
${unit.list ? html`<p>${up.replaces(when(unit.list.uploadedAt))}</p>` : ''}
${o.plain ? html`<p class="notice info">${up.reChoose}</p>` : ''}
<p><button type="submit" form="list-form" name="step" value="confirm">${up.confirm}</button></p></div>`
      : '';
  return html`<h2 id="report-heading">${up.report}: ${r.fileName}</h2>
${notice('info', up.dryRun)}
<p class="meta">${up.read(r.sheet, r.headerRow)}</p>
<dl class="figures report-summary">
<div><dt>${up.rows}</dt><dd>${count(r.rows)}</dd></div>
<div><dt>${up.accepted}</dt><dd>${count(r.accepted)}</dd></div>
<div><dt>${up.duplicates}</dt><dd>${count(r.duplicates)}</dd></div>
<div><dt>${up.problemRows}</dt><dd>${count(problemRows)}</dd></div>
<div><dt>${up.elsewhere}</dt><dd>${count(r.alsoListedElsewhere)}</dd></div>
</dl>
${confirm}
${problems}${notes}${understood}
${confirm}`;
}

const statusLine = (r: Report) =>
  'result' in r
    ? up.checked(
        count(r.result.accepted),
        count(r.result.rows),
        count(new Set(r.result.problems.map((p) => p.row)).size),
      )
    : up.refused(r.fileError);

/**
 * A unit's list: the blank template to fill, the file sent for a check (a dry run, reported row by
 * row) and then for good, and the unit's current rows, numbers masked (the coordinator may reveal
 * them, audited). With htmx the form — and the file chosen in it — stays on the page and only the
 * report is swapped, so "Xác nhận gửi danh sách" sends the same form with the same file again;
 * without JavaScript the form is posted whole and the page comes back with the report (a browser
 * does not keep a chosen file across pages: the person picks it again to confirm). A unit's submitter
 * reaches their own unit only (another is 404, as in the API); the chairman reads, never uploads.
 */
export async function campaignUploadPages(app: FastifyInstance, { container }: ConsoleDeps) {
  const maxBytes = container.config.CAMPAIGN_LIST_MAX_BYTES;
  const maxText = vi.files.size(maxBytes);

  async function listPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { status?: number; report?: Report } = {},
  ) {
    const s = sessionOf(req);
    const c = await campaignOf(container, req);
    const unit = await container.campaigns.unit(s.principal, c.id, idParam(req, 'uid'));
    const q = req.query as { cursor?: string; reveal?: string };
    const cursor = q.cursor && /^[A-Za-z0-9_-]{1,200}$/.test(q.cursor) ? q.cursor : undefined;
    const reveal = q.reveal === 'true' && c.access === 'coordinator';
    const rows = await container.campaignLists.rows(s.principal, staffActor(req), c.id, unit.id, {
      reveal,
      limit: rowsPerPage,
      ...(cursor ? { cursor } : {}),
    });
    const uploads = (c.access === 'coordinator' || c.access === 'submitter') && !c.rowsDeletedAt;
    const title = up.title(unit.name);
    const base = `/console/campaigns/${c.id}/units/${unit.id}/list`;
    const body = html`${campaignHeading(c, title)}
${doneNotice(req, { sent: up.sent })}
${campaignTabs(c, c.access === 'submitter' ? 'myList' : 'units', unit.id)}
<p class="meta">${unitKindLabels[unit.kind]}</p>
${c.rowsDeletedAt ? notice('info', t.rowsDeleted) : ''}
${currentList(unit)}
${uploads ? uploadForm(c, unit, s.csrf, o.report) : html`<p>${up.readerOnly}</p>`}
${rowsSection(c, base, rows, { reveal, cursor })}`;
    return sendCampaignPage(req, reply, container, title, body, o.status);
  }

  function currentList(unit: UnitView): SafeHtml {
    const l = unit.list;
    return html`<section aria-labelledby="current-list"><h2 id="current-list">${up.current}</h2>
${
  l
    ? html`<dl class="facts"><dt>${up.file}</dt><dd>${l.fileName}</dd>
<dt>${up.uploadedAt}</dt><dd>${when(l.uploadedAt)}</dd>
<dt>${up.rows}</dt><dd>${count(l.rows)}</dd>
<dt>${up.accepted}</dt><dd>${count(l.accepted)}</dd>
<dt>${up.duplicates}</dt><dd>${count(l.duplicates)}</dd></dl>`
    : html`<p>${up.none}</p>`
}</section>`;
  }

  function uploadForm(c: CampaignView, unit: UnitView, csrf: string, report: Report | undefined): SafeHtml {
    const action = `/console/campaigns/${c.id}/units/${unit.id}/list`;
    const fileError = report && 'fileError' in report ? report.fileError : undefined;
    // `_csrf` first: a multipart form's token is read before any file (multipart-form.ts).
    return html`<section aria-labelledby="send-list"><h2 id="send-list">${up.send}</h2>
<p><a href="/console/campaigns/${c.id}/units/${unit.id}/template.xlsx" download aria-describedby="template-hint">${up.template}</a> <span class="meta" id="template-hint">${up.templateHint}</span></p>
<form id="list-form" method="post" action="${action}" enctype="multipart/form-data" hx-post="${action}" hx-encoding="multipart/form-data" hx-target="#list-report" hx-swap="innerHTML" class="upload-form">
<input type="hidden" name="_csrf" value="${csrf}">
<p class="field${fileError ? ' invalid' : ''}"><label for="list-file">${up.fileLabel}</label>
<span class="meta" id="list-file-hint">${up.fileHint(maxText)}</span>
<input type="file" id="list-file" name="file" required accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" aria-describedby="list-file-hint${fileError ? ' list-file-error' : ''}"${fileError ? html` aria-invalid="true"` : ''}>
${fileError ? html`<span class="field-error" id="list-file-error">${fileError}</span>` : ''}</p>
<p><button type="submit" name="step" value="check">${up.check}</button> <span class="htmx-indicator meta" aria-hidden="true">…</span></p>
</form>
<p id="list-status" class="visually-hidden" role="status">${report ? statusLine(report) : ''}</p>
<div id="list-report">${report && 'result' in report ? reportOf(report.result, unit, { plain: true }) : ''}</div>
</section>`;
  }

  function rowsSection(
    c: CampaignView,
    base: string,
    rows: Awaited<ReturnType<ConsoleDeps['container']['campaignLists']['rows']>>,
    o: { reveal: boolean; cursor: string | undefined },
  ): SafeHtml {
    const uc = up.understoodColumns;
    const coordinator = c.access === 'coordinator';
    const revealForm =
      coordinator && rows.items.length && !o.reveal
        ? html`<form method="get" action="${base}" class="reveal">
<input type="hidden" name="reveal" value="true">${o.cursor ? html`<input type="hidden" name="cursor" value="${o.cursor}">` : ''}
<button type="submit" aria-describedby="reveal-hint">${t.reveal}</button> <span class="meta" id="reveal-hint">${t.revealHint}</span></form>`
        : '';
    const keep = o.reveal ? '&reveal=true' : '';
    const pages = html`<p class="pages">${o.cursor ? html`<a href="${`${base}${o.reveal ? '?reveal=true' : ''}#rows`}">${up.first}</a>` : ''}
${rows.nextCursor ? html` <a href="${`${base}?cursor=${rows.nextCursor}${keep}#rows`}" rel="next">${up.next}</a>` : ''}</p>`;
    return html`<section aria-labelledby="rows"><h2 id="rows">${up.rowsHeading}</h2>
${o.reveal ? html`${notice('info', up.revealed)}<p><a href="${base}">${t.hide}</a></p>` : html`<p class="meta">${up.masked}</p>`}
${revealForm}
${
  rows.items.length
    ? html`<table class="cases campaign list-rows"><caption>${up.rowsHeading}</caption>
<thead><tr><th scope="col">${uc.row}</th><th scope="col">${uc.name}</th><th scope="col">${uc.phones}</th><th scope="col">${uc.organisation}</th><th scope="col">${uc.address}</th><th scope="col">${uc.household}</th></tr></thead>
<tbody>${rows.items.map(
        (r) =>
          html`<tr><th scope="row">${r.row}</th>${cell(uc.name, r.name)}${cell(uc.phones, r.phones.join(', '))}${cell(uc.organisation, r.organisation ?? '')}${cell(uc.address, r.address ?? '')}${cell(uc.household, r.household ?? '')}</tr>`,
      )}</tbody></table>${pages}`
    : html`<p>${up.noRows}</p>`
}</section>`;
  }

  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 8, headerPairs: 50 },
    });

    scope.get('/campaigns/:id/units/:uid/list', submitters, async (req, reply) => listPage(req, reply));

    scope.get('/campaigns/:id/units/:uid/template.xlsx', submitters, async (req, reply) => {
      const unit = await container.campaigns.unit(
        sessionOf(req).principal,
        idParam(req, 'id'),
        idParam(req, 'uid'),
      );
      const bytes = await listTemplateXlsx({ name: unit.name, kind: unit.kind });
      return reply
        .headers({
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': 'attachment; filename="mau-danh-sach-cai-dat-smart-hai-phong.xlsx"',
          'cache-control': 'private, no-store',
          'x-content-type-options': 'nosniff',
        })
        .send(bytes);
    });

    scope.post(
      '/campaigns/:id/units/:uid/list',
      { config: { ...submitters.config, consoleMultipart: true } },
      async (req, reply) => {
        const s = sessionOf(req);
        const id = idParam(req, 'id');
        const uid = idParam(req, 'uid');
        const htmx = req.headers['hx-request'] === 'true';
        const form = req.isMultipart()
          ? await readConsoleForm(req, s)
          : { fields: (req.body ?? {}) as Record<string, string>, files: [], fileProblem: null };
        const confirm = form.fields.step === 'confirm';
        /** The report region (htmx) or the page around it (a plain post), with its status line. */
        const answer = async (report: Report, status: number) => {
          if (!htmx) return listPage(req, reply, { status, report });
          const unit = await container.campaigns.unit(s.principal, id, uid);
          const region =
            'result' in report
              ? reportOf(report.result, unit, { plain: false })
              : html`<p class="notice error" role="alert">${report.fileError}</p>`;
          return sendFragment(
            reply,
            html`${region}<p id="list-status" hx-swap-oob="innerHTML">${statusLine(report)}</p>`,
            status,
          );
        };
        if (form.fileProblem)
          return answer(
            {
              fileError:
                form.fileProblem.statusCode === 413 ? up.tooLarge(maxText) : form.fileProblem.message,
            },
            form.fileProblem.statusCode === 413 ? 413 : 400,
          );
        const file = form.files[0];
        if (!file || file.bytes.length === 0)
          return answer({ fileError: confirm ? up.reChoose : up.noFile }, 400);
        const fileName = (file.name || 'danh-sach').normalize('NFC').slice(0, 255);
        let result: ListResult;
        try {
          result = await container.campaignLists.upload(
            s.principal,
            staffActor(req),
            id,
            uid,
            { bytes: file.bytes, fileName },
            !confirm,
          );
        } catch (err) {
          if (err instanceof AppError && (err.statusCode === 400 || err.statusCode === 409))
            return answer({ fileError: err.message }, err.statusCode);
          throw err;
        }
        if (!confirm) return answer({ result }, 200);
        const done = `/console/campaigns/${id}/units/${uid}/list?done=sent`;
        // htmx follows HX-Redirect with a whole page: the new list, its rows and the notice.
        if (htmx) return reply.code(200).header('hx-redirect', done).send('');
        return reply.redirect(done, 303);
      },
    );
  });
}
