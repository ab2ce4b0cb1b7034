/**
 * The soak's requests outside the load: a smoke intake before it, and each read of the mix timed
 * alone on the otherwise idle server, before the load (one case) and after it (all of them).
 */
import type { createHttpClient } from './client.ts';
import type { RequestHeaders, Setup } from './setup.ts';
import type { intakeBodies } from './workload.ts';

type HttpClient = ReturnType<typeof createHttpClient>;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** The app's case is assigned to its category's department at once; returns its id. */
export async function smokeIntake(
  http: HttpClient,
  h: RequestHeaders,
  bodies: ReturnType<typeof intakeBodies>,
  tag: string,
): Promise<string> {
  const res = await http.send({
    method: 'POST',
    path: '/api/v1/cases',
    headers: h.app,
    body: JSON.stringify(bodies.fromApp(`soak-${tag}-smoke`)),
    wantBody: true,
  });
  if (res.status !== 201) throw new Error(`smoke intake: ${res.status} ${res.body}`);
  const c = JSON.parse(res.body ?? '{}') as { status?: string; id?: string };
  if (c.status !== 'assigned') throw new Error(`smoke intake: case is ${c.status}, not assigned`);
  return c.id ?? '';
}

/**
 * Each read of the mix, sent one at a time to the otherwise idle server, median of 9: which reads
 * cost more as the tables grow. `run()` times them all (ms by name; null when none answered 200).
 */
export function idleProbes(http: HttpClient, setup: Setup, h: RequestHeaders, caseId: string) {
  const [firstDept, firstDeptId] = Object.entries(setup.deptIds)[0] as [string, string];
  const today = new Date().toISOString().slice(0, 10);
  const probes: Record<string, { path: string; headers: Record<string, string> }> = {
    'list status=assigned,in_progress': {
      path: '/api/v1/cases?status=assigned,in_progress&limit=20',
      headers: h.intake,
    },
    'list status=received': { path: '/api/v1/cases?status=received&limit=50', headers: h.intake },
    'list channel=hotline_1022': { path: '/api/v1/cases?channel=hotline_1022&limit=20', headers: h.intake },
    'list categoryCode': { path: '/api/v1/cases?categoryCode=ngap_ung&limit=20', headers: h.intake },
    'list departmentId+receivedFrom': {
      path: `/api/v1/cases?departmentId=${firstDeptId}&receivedFrom=${today}&limit=20`,
      headers: h.intake,
    },
    'list overdue (head)': { path: '/api/v1/cases?overdue=true&limit=20', headers: h.head(firstDept) },
    'list overdue (chairman)': {
      path: '/api/v1/cases?overdue=true&status=assigned,in_progress&limit=20',
      headers: h.chairman,
    },
    'search q=den duong': { path: '/api/v1/cases?q=den%20duong&limit=20', headers: h.intake },
    'search q=xe cuu thuong': { path: '/api/v1/cases?q=xe%20cuu%20thuong&limit=20', headers: h.intake },
    'case by id': { path: `/api/v1/cases/${caseId}`, headers: h.intake },
    'case events': { path: `/api/v1/cases/${caseId}/events`, headers: h.intake },
    'notifications (intake)': { path: '/api/v1/notifications?limit=20', headers: h.intake },
  };
  return {
    async run() {
      const out: Record<string, number | null> = {};
      for (const [name, p] of Object.entries(probes)) {
        const ms: number[] = [];
        for (let i = 0; i < 9; i++) {
          const res = await http
            .send({ method: 'GET', path: p.path, headers: p.headers, wantBody: false })
            .catch(() => null);
          if (res?.status === 200) ms.push(res.ms);
        }
        ms.sort((a, b) => a - b);
        out[name] = ms.length ? r1(ms[Math.floor(ms.length / 2)] as number) : null;
      }
      return out;
    },
  };
}
