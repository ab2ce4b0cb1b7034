/**
 * The soak's load: the workload (due workflow actions first, otherwise intake or reads, each counted
 * in its window) and the open-loop pacer that sends it (request k leaves at t0 + k / rate, whatever
 * the answers).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { createHttpClient } from './client.ts';
import type { RequestHeaders, Setup } from './setup.ts';
import { type Kind, statsOf, type WindowRecord } from './windows.ts';
import {
  type Action,
  actionDelayMs,
  answerText,
  categories,
  categoryByCode,
  fateOf,
  INTAKE_SHARE_OF_FREE_SLOTS,
  type intakeBodies,
  pick,
  type ReadKind,
  type Rnd,
  readKinds,
  readWeights,
  STAFF_SHARE,
  searchTerms,
} from './workload.ts';

/** A case the load created: who logged it, its department, and the actions still to take on it. */
export type CaseRef = {
  id: string;
  byApp: boolean;
  deptCode: string | null;
  next: Action[];
  assignCategory?: string;
  touched: boolean;
};

type Request = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/** The workload's state and its request makers; `dispatch` sends the next request of the mix. */
export function createWorkload(o: {
  http: ReturnType<typeof createHttpClient>;
  setup: Setup;
  headers: RequestHeaders;
  bodies: ReturnType<typeof intakeBodies>;
  rnd: Rnd;
  tag: string;
  /** Requests in flight beyond which the client drops a request (counted, never sent). */
  maxInFlight: number;
}) {
  const { http, setup, headers: h, bodies, rnd } = o;
  const cases: CaseRef[] = [];
  const ready: CaseRef[] = [];
  let readyHead = 0;
  const actionTimers = new Set<NodeJS.Timeout>();
  let loadOver = false;
  let seq = 0;
  let inFlight = 0;
  const firstErrors: string[] = [];
  /** Failures by kind and cause (status or error message), over the run. */
  const errorCounts: Record<string, number> = {};
  const noteError = (what: string, cause: string) => {
    if (firstErrors.length < 20) firstErrors.push(what.slice(0, 400));
    errorCounts[cause] = (errorCounts[cause] ?? 0) + 1;
  };

  const scheduleNext = (c: CaseRef) => {
    if (loadOver || c.next.length === 0) return;
    const t = setTimeout(() => {
      actionTimers.delete(t);
      ready.push(c);
    }, actionDelayMs(rnd));
    actionTimers.add(t);
  };

  /** Sends one request of kind `kind` in window `w`; `after` sees a 2xx answer's body. */
  const fire = (
    w: WindowRecord,
    kind: Kind,
    req: Request,
    expected: number,
    after?: (body: string | null, ok: boolean) => void,
  ) => {
    const s = statsOf(w, kind);
    s.sent++;
    if (inFlight >= o.maxInFlight) {
      statsOf(w, 'dropped_client_overload').sent++;
      statsOf(w, 'dropped_client_overload').record(null, 0, 0);
      after?.(null, false);
      return;
    }
    inFlight++;
    http
      .send({ ...req, wantBody: after !== undefined })
      .then(
        (res) => {
          s.record(res.status, res.ms, expected);
          if (res.status !== expected)
            noteError(
              `${kind} ${req.method} ${req.path}: ${res.status} ${res.body ?? ''}`,
              `${kind} ${res.status}`,
            );
          after?.(res.body, res.status === expected);
        },
        (err: Error) => {
          s.record(null, 0, expected);
          noteError(`${kind} ${req.method} ${req.path}: ${err.message}`, `${kind} ${err.message}`);
          after?.(null, false);
        },
      )
      .finally(() => {
        inFlight--;
      });
  };

  const someCase = (): CaseRef | undefined => {
    if (cases.length === 0) return undefined;
    // Mostly recent cases (what staff look at), sometimes any.
    const i =
      rnd() < 0.8
        ? cases.length - 1 - Math.floor(rnd() * Math.min(cases.length, 1_000))
        : Math.floor(rnd() * cases.length);
    return cases[i];
  };
  const today = new Date().toISOString().slice(0, 10);

  const sendIntake = (w: WindowRecord) => {
    const staff = rnd() < STAFF_SHARE;
    const id = `${staff ? 's' : 'a'}${o.tag}-${(seq++).toString(36)}`;
    const body = staff ? bodies.fromStaff(id, rnd) : bodies.fromApp(id);
    const req: Request = {
      method: 'POST',
      path: '/api/v1/cases',
      headers: staff ? h.intake : h.app,
      body: JSON.stringify(body),
    };
    fire(w, staff ? 'intake_staff' : 'intake_app', req, 201, (text, ok) => {
      if (!ok || !text) return;
      const c = JSON.parse(text) as { id: string; status: string; categoryCode: string | null };
      const fate = fateOf(rnd, c.status === 'received');
      const ref: CaseRef = {
        id: c.id,
        byApp: !staff,
        deptCode: c.categoryCode ? (categoryByCode.get(c.categoryCode)?.departmentCode ?? null) : null,
        next: fate.actions,
        touched: false,
        ...(fate.assignCategory ? { assignCategory: fate.assignCategory } : {}),
      };
      cases.push(ref);
      scheduleNext(ref);
    });
  };

  const sendAction = (w: WindowRecord, c: CaseRef) => {
    const action = c.next.shift() as Action;
    c.touched = true;
    let headers = h.intake;
    let body = '{}';
    if (action === 'assign') {
      const cat =
        categoryByCode.get(c.assignCategory ?? '') ?? (categories[0] as (typeof categories)[number]);
      c.deptCode = cat.departmentCode;
      body = JSON.stringify({ departmentId: setup.deptIds[cat.departmentCode], categoryCode: cat.code });
    } else if (action === 'accept' || action === 'respond') {
      headers = h.head(c.deptCode ?? '');
      if (action === 'respond') body = JSON.stringify({ answer: answerText });
    }
    const req: Request = { method: 'POST', path: `/api/v1/cases/${c.id}/${action}`, headers, body };
    fire(w, action, req, 200, (_b, ok) => {
      if (ok) scheduleNext(c);
      else c.next = [];
    });
  };

  const readTotal = readKinds.reduce((a, k) => a + readWeights[k], 0);
  const sendRead = (w: WindowRecord) => {
    let x = rnd() * readTotal;
    let kind: ReadKind = 'list';
    for (const k of readKinds) {
      x -= readWeights[k];
      if (x < 0) {
        kind = k;
        break;
      }
    }
    const c = kind === 'case' || kind === 'events' ? someCase() : undefined;
    if ((kind === 'case' || kind === 'events') && !c) kind = 'list';
    const get = (path: string, headers: Record<string, string>) =>
      fire(w, kind, { method: 'GET', path, headers }, 200);
    switch (kind) {
      case 'list': {
        const [dcode, did] = pick(rnd, Object.entries(setup.deptIds));
        const variants = [
          '?status=assigned,in_progress&limit=20',
          '?status=received&limit=50',
          `?categoryCode=${pick(rnd, categories).code}&limit=20`,
          '?channel=hotline_1022&limit=20',
          `?departmentId=${did}&receivedFrom=${today}&limit=20`,
        ];
        // Heads list their own department's work; intake and the chairman the ward's.
        const who = rnd();
        if (who < 0.25) get('/api/v1/cases?status=assigned,in_progress&limit=20', h.head(dcode));
        else get(`/api/v1/cases${pick(rnd, variants)}`, who < 0.9 ? h.intake : h.chairman);
        return;
      }
      case 'list_overdue': {
        if (rnd() < 0.5) get('/api/v1/cases?overdue=true&limit=20', h.bearer(pick(rnd, h.headTokens)));
        else get('/api/v1/cases?overdue=true&status=assigned,in_progress&limit=20', h.chairman);
        return;
      }
      case 'search':
        get(`/api/v1/cases?q=${encodeURIComponent(pick(rnd, searchTerms))}&limit=20`, h.intake);
        return;
      case 'case':
        get(`/api/v1/cases/${c?.id}`, c?.byApp && rnd() < 0.5 ? h.app : h.intake);
        return;
      case 'events':
        get(`/api/v1/cases/${c?.id}/events`, h.intake);
        return;
      case 'notifications':
        get('/api/v1/notifications?limit=20', h.bearer(pick(rnd, h.inboxes)));
        return;
    }
  };

  return {
    cases,
    firstErrors,
    errorCounts,
    inFlight: () => inFlight,
    /** Sends the next request in window `w`: a due workflow action, else intake or a read. */
    dispatch(w: WindowRecord) {
      if (readyHead < ready.length) {
        const c = ready[readyHead++] as CaseRef;
        if (readyHead > 10_000) {
          ready.splice(0, readyHead);
          readyHead = 0;
        }
        sendAction(w, c);
      } else if (rnd() < INTAKE_SHARE_OF_FREE_SLOTS) sendIntake(w);
      else sendRead(w);
    },
    /** The load is over: no further actions are scheduled. */
    stop() {
      loadOver = true;
      for (const t of actionTimers) clearTimeout(t);
    },
    /** Waits (at most `timeoutMs` + 2 s: each request has its own timeout) for the requests in flight; returns how many are left. */
    async drain(timeoutMs: number) {
      for (let i = 0; i < (timeoutMs + 2_000) / 100 && inFlight > 0; i++) await sleep(100);
      return inFlight;
    },
  };
}
export type Workload = ReturnType<typeof createWorkload>;

/**
 * The paced loop: request k leaves at t0 + k / rate (ms on the performance clock), in the window of
 * its scheduled time; `reach(wi)` is told when the load enters window wi. Ends after `durationS`.
 */
export function runPaced(o: {
  rate: number;
  durationS: number;
  windowS: number;
  windows: WindowRecord[];
  t0: number;
  reach: (wi: number) => void;
  dispatch: (w: WindowRecord) => void;
}): Promise<void> {
  const total = o.rate * o.durationS;
  const intervalMs = 1000 / o.rate;
  let sent = 0;
  return new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - o.t0) / intervalMs) + 1);
      while (sent < due) {
        const scheduled = sent * intervalMs;
        const wi = Math.min(o.windows.length - 1, Math.floor(scheduled / 1000 / o.windowS));
        o.reach(wi);
        const w = o.windows[wi] as WindowRecord;
        w.sendLateMsMax = Math.max(w.sendLateMsMax, now - o.t0 - scheduled);
        o.dispatch(w);
        sent++;
      }
      if (sent >= total && now - o.t0 >= o.durationS * 1000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
}
