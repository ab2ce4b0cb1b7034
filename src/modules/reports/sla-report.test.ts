import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../sla/calendar.ts';
import {
  type ReportCase,
  type ReportTally,
  slaReport,
  slaReportCsv,
  slaReportOf,
  unassignedName,
} from './sla-report.ts';

const calendar = defaultCalendar();
const now = new Date('2026-11-20T03:00:00Z'); // Friday 10:00 in Hải Phòng
const at = (iso: string) => new Date(iso);
const base: ReportCase = {
  wardId: '1',
  key: '10',
  name: 'Phòng Kinh tế',
  status: 'closed',
  assignedAt: at('2026-11-16T01:00:00Z'), // Monday 08:00 local
  answeredAt: at('2026-11-16T03:00:00Z'), // Monday 10:00 local: 2 working hours
  dueAt: at('2026-11-20T10:00:00Z'),
  acceptDueAt: null,
  ratingScore: null,
};

describe('slaReport', () => {
  it('counts, rates and takes the median in working hours per key', () => {
    const rows = slaReport(
      [
        base,
        { ...base, answeredAt: at('2026-11-17T03:00:00Z'), ratingScore: 4 }, // Tue 10:00 local: 7 + 2.5 working hours
        { ...base, status: 'answered', answeredAt: at('2026-11-21T03:00:00Z'), ratingScore: 2 }, // Saturday: late, 37 h
        { ...base, status: 'in_progress', answeredAt: null, dueAt: at('2026-11-19T10:00:00Z') }, // overdue
        { ...base, status: 'assigned', answeredAt: null }, // open, not due
      ],
      () => calendar,
      now,
    );
    expect(rows).toEqual([
      {
        key: '10',
        name: 'Phòng Kinh tế',
        received: 5,
        answered: 3,
        answeredOnTime: 2,
        overdueOpen: 1,
        onTimeRate: 0.6667,
        medianAnswerHours: 9.5,
        averageRating: 3,
      },
    ]);
  });

  it('ranks by on-time rate, rows without answers last, and names the unassigned', () => {
    const rows = slaReport(
      [
        { ...base, key: 'a', name: 'A', answeredAt: at('2026-11-21T03:00:00Z') },
        { ...base, key: 'b', name: 'B' },
        {
          ...base,
          key: null,
          name: null,
          status: 'received',
          assignedAt: null,
          answeredAt: null,
          dueAt: null,
          acceptDueAt: at('2026-11-19T03:00:00Z'),
        },
      ],
      () => calendar,
      now,
    );
    expect(rows.map((r) => [r.name, r.onTimeRate, r.overdueOpen])).toEqual([
      ['B', 1, 0],
      ['A', 0, 0],
      [unassignedName, null, 1],
    ]);
  });
});

describe('slaReportOf', () => {
  const tally: ReportTally = {
    key: '10',
    name: 'Phòng Kinh tế (W1)',
    received: 3,
    answered: 2,
    answeredOnTime: 1,
    overdueOpen: 1,
    ratings: 1,
    ratingSum: 5,
  };
  it('adds up the tallies of one key, names it after the first, and takes the median over its answers', () => {
    const rows = slaReportOf(
      [
        tally,
        {
          ...tally,
          name: 'Phòng Kinh tế (W2)',
          received: 1,
          answered: 1,
          answeredOnTime: 1,
          overdueOpen: 0,
          ratings: 2,
          ratingSum: 4,
        },
        {
          ...tally,
          key: null,
          name: null,
          received: 2,
          answered: 0,
          answeredOnTime: 0,
          overdueOpen: 2,
          ratings: 0,
          ratingSum: 0,
        },
      ],
      [
        {
          wardId: '1',
          key: '10',
          assignedAt: base.assignedAt as Date,
          answeredAt: at('2026-11-16T03:00:00Z'),
        }, // 2 h
        {
          wardId: '2',
          key: '10',
          assignedAt: base.assignedAt as Date,
          answeredAt: at('2026-11-16T05:00:00Z'),
        }, // 3.5 h (lunch)
        {
          wardId: '1',
          key: '10',
          assignedAt: base.assignedAt as Date,
          answeredAt: at('2026-11-17T03:00:00Z'),
        }, // 9.5 h
      ],
      () => calendar,
    );
    expect(rows).toEqual([
      {
        key: '10',
        name: 'Phòng Kinh tế (W1)',
        received: 4,
        answered: 3,
        answeredOnTime: 2,
        overdueOpen: 1,
        onTimeRate: 0.6667,
        medianAnswerHours: 3.5,
        averageRating: 3,
      },
      {
        key: null,
        name: unassignedName,
        received: 2,
        answered: 0,
        answeredOnTime: 0,
        overdueOpen: 2,
        onTimeRate: null,
        medianAnswerHours: null,
        averageRating: null,
      },
    ]);
  });
});

describe('slaReportCsv', () => {
  it('writes a header, one line per row, quotes what needs it and defuses formulas', () => {
    const csv = slaReportCsv([
      {
        key: '1',
        name: 'Phòng "Kinh tế", Hạ tầng',
        received: 2,
        answered: 1,
        answeredOnTime: 1,
        overdueOpen: 0,
        onTimeRate: 1,
        medianAnswerHours: 2.5,
        averageRating: null,
      },
      {
        key: null,
        name: '=HYPERLINK("x")',
        received: 1,
        answered: 0,
        answeredOnTime: 0,
        overdueOpen: 1,
        onTimeRate: null,
        medianAnswerHours: null,
        averageRating: null,
      },
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'key,name,received,answered,answeredOnTime,overdueOpen,onTimeRate,medianAnswerHours,averageRating',
      '1,"Phòng ""Kinh tế"", Hạ tầng",2,1,1,0,1,2.5,',
      ',"\'=HYPERLINK(""x"")",1,0,0,1,,,',
      '',
    ]);
  });
});
