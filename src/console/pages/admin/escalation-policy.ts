import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../../../modules/auth/principal.ts';
import { parseDuration } from '../../../modules/sla/duration.ts';
import { type EscalationPolicy, escalationPolicySchema } from '../../../modules/sla/escalation-policy.ts';
import { type ConsoleDeps, sendPage, sessionOf } from '../../context.ts';
import { described, field, fieldError, labelWithHint, many, one, type Problems } from '../../fields.ts';
import { html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import { adminOnly, staffActor } from './guards.ts';
import { amountInWords, stepInWords } from './ladder-words.ts';
import { sendWardPicker, wardIdOf } from './ward-picker.ts';

const l = vi.adminOps.ladder;
/** Blank rows under the steps: a step is added by filling one in (no JavaScript needed). */
const BLANK_ROWS = 2;
const MAX_ROWS = 30;
const notifiable = ['intake', 'department_head', 'department_officer', 'chairman'] as const;

type Row = { key: string; anchor: string; offset: string; clock: string; notify: string[]; remove: boolean };
type LadderForm = { acceptDuration: string; acceptClock: string; rows: Row[] };

const blank = (): Row => ({
  key: '',
  anchor: 'dueAt',
  offset: '',
  clock: 'working',
  notify: [],
  remove: false,
});

const formOf = (p: EscalationPolicy): LadderForm => ({
  acceptDuration: p.acceptWithin.duration,
  acceptClock: p.acceptWithin.clock,
  rows: [
    ...p.steps.map((s) => ({ ...s, notify: [...s.notify], remove: false })),
    ...Array.from({ length: BLANK_ROWS }, blank),
  ],
});

/**
 * The ladder a submitted form describes, checked by the API's own schema (escalationPolicySchema); its
 * issues land beside the fields of the rows they are about. Removed and blank rows are left out.
 */
function ladderOfForm(body: Record<string, unknown>) {
  const count = Math.min(Math.max(Number(one(body, 'rows')) || 0, 0), MAX_ROWS);
  const form: LadderForm = {
    acceptDuration: one(body, 'acceptDuration').toUpperCase(),
    acceptClock: one(body, 'acceptClock'),
    rows: [],
  };
  const steps: Omit<Row, 'remove'>[] = [];
  const rowOf: number[] = [];
  for (let i = 0; i < count; i++) {
    const row: Row = {
      key: one(body, `key${i}`),
      anchor: one(body, `anchor${i}`),
      offset: one(body, `offset${i}`).toUpperCase(),
      clock: one(body, `clock${i}`),
      notify: many(body, `notify${i}`),
      remove: one(body, `remove${i}`) === 'yes',
    };
    form.rows.push(row);
    if (row.remove || (row.key === '' && row.offset === '' && row.notify.length === 0)) continue;
    const { remove: _, ...step } = row;
    steps.push(step);
    rowOf.push(i);
  }
  const parsed = escalationPolicySchema.safeParse({
    acceptWithin: { duration: form.acceptDuration, clock: form.acceptClock },
    steps,
  });
  const problems: Problems = {};
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const [head, index, name] = issue.path;
      let at = 'steps';
      if (head === 'acceptWithin') at = index === 'clock' ? 'acceptClock' : 'acceptDuration';
      else if (typeof index === 'number' && typeof name === 'string') at = `${name}${rowOf[index]}`;
      problems[at] ??= name === 'notify' && issue.code === 'too_small' ? l.needNotify : issue.message;
    }
  return { form, policy: parsed.success ? parsed.data : null, problems };
}

/**
 * A ward's escalation ladder (api.md `GET/PUT /api/v1/wards/{id}/escalation-policy`), admin only:
 * the dispatch deadline and the steps as an editable table (blank rows to add, a box to remove), each
 * step also said in words. PUT replaces the ladder (no version to compare, as in the API); it applies
 * to deadlines set from now on.
 */
export async function escalationPolicyPages(app: FastifyInstance, { container }: ConsoleDeps) {
  async function render(
    req: FastifyRequest,
    reply: FastifyReply,
    wardId: string,
    state: { form?: LadderForm; problems?: Problems; status?: number; saved?: boolean },
  ) {
    const s = sessionOf(req);
    const ward = await container.directory.getWard(s.principal, wardId);
    const policy = await container.slaSettings.getPolicy(s.principal, ward.id);
    const form = state.form ?? formOf(policy);
    const problems = state.problems ?? {};
    const clockSelect = (id: string, value: string, label?: string) =>
      html`${label ? html`<label for="${id}" class="visually-hidden">${label}</label>` : ''}<select id="${id}" name="${id}"${described(id, problems)}>${[
        'working',
        'continuous',
      ].map(
        (c) =>
          html`<option value="${c}"${value === c ? html` selected` : ''}>${vi.adminOps.clocks[c]}</option>`,
      )}</select>`;
    const rows = form.rows.map((r, i) => {
      const n = i + 1;
      const cell = (name: string, label: string, control: ReturnType<typeof html>) =>
        html`<td><label for="${name}${i}" class="visually-hidden">${l.row(n)} — ${label}</label>${control}${fieldError(`${name}${i}`, problems)}</td>`;
      return html`<tr>
<th scope="row">${n}</th>
${cell('key', l.key, html`<input id="key${i}" name="key${i}" value="${r.key}" size="14" autocomplete="off" spellcheck="false"${described(`key${i}`, problems)}>`)}
${cell('anchor', l.anchor, html`<select id="anchor${i}" name="anchor${i}"${described(`anchor${i}`, problems)}>${['acceptDueAt', 'dueAt'].map((a) => html`<option value="${a}"${r.anchor === a ? html` selected` : ''}>${l.anchors[a]}</option>`)}</select>`)}
${cell('offset', l.offset, html`<input id="offset${i}" name="offset${i}" value="${r.offset}" size="8" autocomplete="off" spellcheck="false"${described(`offset${i}`, problems)}>`)}
<td>${clockSelect(`clock${i}`, r.clock, `${l.row(n)} — ${l.clock}`)}${fieldError(`clock${i}`, problems)}</td>
<td><fieldset class="roles" id="notify${i}"${described(`notify${i}`, problems)}><legend class="visually-hidden">${l.row(n)} — ${l.notify}</legend>${notifiable.map(
        (role) =>
          html`<label><input type="checkbox" name="notify${i}" value="${role}"${r.notify.includes(role) ? html` checked` : ''}> ${vi.roles[role]}</label> `,
      )}</fieldset>${fieldError(`notify${i}`, problems)}</td>
<td><label><input type="checkbox" name="remove${i}" value="yes"${r.remove ? html` checked` : ''}><span class="visually-hidden">${l.removeRow(n)}</span><span aria-hidden="true">${l.remove}</span></label></td>
</tr>`;
    });
    const accept = parseDuration(policy.acceptWithin.duration);
    const words = html`<h2>${l.explained}</h2>
<ul class="ladder-words"><li>${l.acceptInWords(amountInWords(accept.days, accept.seconds, policy.acceptWithin.clock === 'working'))}</li>
${policy.steps.map((st) => html`<li><strong>${vi.steps[st.key] ?? st.key}</strong> (${st.key}): ${stepInWords(st)}</li>`)}</ul>
${policy.steps.length ? '' : html`<p>${l.noSteps}</p>`}`;
    const invalid = Object.keys(problems).length > 0;
    const body = html`<p><a href="/console/admin">${vi.adminOps.back}</a></p>
<h1>${l.titleOf(ward.name)}</h1>
${state.saved ? notice('info', vi.adminOps.saved) : ''}
${invalid ? notice('error', vi.adminOps.fix, true) : ''}
<p>${l.intro}</p>
${words}
<form method="post" action="/console/admin/escalation-policy?wardId=${ward.id}" class="ladder">
<input type="hidden" name="_csrf" value="${s.csrf}">
<input type="hidden" name="rows" value="${form.rows.length}">
<fieldset><legend>${l.acceptWithin}</legend>
${field('acceptDuration', labelWithHint(l.acceptDuration, vi.adminOps.calendar.durationHint), html`<input id="acceptDuration" name="acceptDuration" value="${form.acceptDuration}" autocomplete="off" spellcheck="false"${described('acceptDuration', problems)}>`, problems)}
<p class="field"><label for="acceptClock">${l.acceptClock}</label>${clockSelect('acceptClock', form.acceptClock)}${fieldError('acceptClock', problems)}</p>
</fieldset>
<h2 id="steps-title">${l.steps}</h2>
${fieldError('steps', problems)}
<p class="meta">${l.offsetHint} ${l.blankHint}</p>
<table class="cases ladder" aria-labelledby="steps-title"><thead><tr><th scope="col">#</th><th scope="col">${l.key}</th><th scope="col">${l.anchor}</th><th scope="col">${l.offset}</th><th scope="col">${l.clock}</th><th scope="col">${l.notify}</th><th scope="col">${l.remove}</th></tr></thead>
<tbody>${rows}</tbody></table>
<p><button type="submit">${l.save}</button></p>
</form>`;
    return sendPage(
      req,
      reply,
      container,
      { title: l.titleOf(ward.name), status: state.status ?? 200 },
      body,
    );
  }

  /** No ward chosen (or a malformed one): the page that asks which. */
  const pickWard = (req: FastifyRequest, reply: FastifyReply, caller: UserPrincipal) =>
    sendWardPicker(req, reply, { container }, caller, {
      title: l.title,
      action: '/console/admin/escalation-policy',
    });

  app.get('/admin/escalation-policy', async (req, reply) => {
    const s = adminOnly(req);
    const wardId = wardIdOf(req);
    if (!wardId) return pickWard(req, reply, s.principal);
    return render(req, reply, wardId, { saved: (req.query as { saved?: string }).saved === '1' });
  });

  app.post('/admin/escalation-policy', async (req, reply) => {
    const s = adminOnly(req);
    const wardId = wardIdOf(req);
    if (!wardId) return pickWard(req, reply, s.principal);
    const { form, policy, problems } = ladderOfForm((req.body ?? {}) as Record<string, unknown>);
    if (!policy) return render(req, reply, wardId, { form, problems, status: 400 });
    await container.slaSettings.putPolicy(staffActor(req), wardId, policy);
    return reply.redirect(`/console/admin/escalation-policy?wardId=${wardId}&saved=1`, 303);
  });
}
