import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from './campaign-charts.ts';

const svgOf = (markup: { toString(): string }) => {
  const svg = parse(markup.toString()).querySelector('svg');
  if (!svg) throw new Error('no svg');
  return svg;
};

describe('the bar chart', () => {
  const chart = barChart({
    id: 'g',
    title: 'Tỷ lệ theo tổ',
    desc: 'Hai tổ, một tổ đạt',
    target: 1,
    bars: [
      { label: 'Tổ <5>', share: 0.6, detail: '3/5 hộ', reached: false },
      { label: 'Tổ 3', share: 1.3, detail: '150/150 hộ', reached: true },
    ],
  });
  const svg = svgOf(chart);

  it('is an image named by its title and description', () => {
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-labelledby')).toBe('g-title g-desc');
    expect(svg.querySelector('#g-title')?.text).toBe('Tỷ lệ theo tổ');
    expect(svg.querySelector('#g-desc')?.text).toBe('Hai tổ, một tổ đạt');
  });

  it('draws each bar to its share of the bars’ width, capped at the whole, the target marked', () => {
    const bars = svg.querySelectorAll('rect.chart-bar').map((r) => r.getAttribute('width'));
    expect(bars).toEqual(['48%', '80%']);
    expect(svg.querySelectorAll('line.chart-target').map((l) => l.getAttribute('x1'))).toEqual([
      '80%',
      '80%',
    ]);
    expect(svg.querySelectorAll('text.chart-value').map((t) => t.text)).toEqual(['60%', '100% ✓']);
  });

  it('escapes the labels, says each bar’s figures, and carries no inline style (the CSP forbids it)', () => {
    expect(svg.querySelector('text.chart-label')?.text).toBe('Tổ <5>');
    expect(chart.toString()).toContain('Tổ &lt;5&gt;');
    expect(svg.querySelectorAll('g.chart-row > title').map((t) => t.text)).toEqual([
      'Tổ <5>: 3/5 hộ (60%)',
      'Tổ 3: 150/150 hộ (100%)',
    ]);
    expect(chart.toString()).not.toMatch(/style=/);
    expect(svg.querySelectorAll('g.reached')).toHaveLength(1);
    expect(Number(svg.getAttribute('height'))).toBeGreaterThanOrEqual(2 * 40);
  });
});

describe('the line chart', () => {
  const points = [
    { day: '2026-05-15', share: 0 },
    { day: '2026-05-16', share: 0.25 },
    { day: '2026-05-25', share: 0.5 },
  ];
  const line = (ps: typeof points) =>
    svgOf(lineChart({ id: 't', title: 'Theo ngày', desc: 'Từ 0% đến 50%', points: ps, target: 0.9 }));

  it('spaces the days by the calendar and draws a segment between each two', () => {
    const svg = line(points);
    const segments = svg.querySelectorAll('line.chart-line');
    expect(segments).toHaveLength(2);
    // 3% margin, 94% of the width over 10 days: the 16th at 12.4%, the 25th at 97%.
    expect(segments.map((s) => [s.getAttribute('x1'), s.getAttribute('x2')])).toEqual([
      ['3%', '12.4%'],
      ['12.4%', '97%'],
    ]);
    // Higher shares are higher up (smaller y).
    const ys = svg.querySelectorAll('circle.chart-point').map((c) => Number(c.getAttribute('cy')));
    expect(ys[0]).toBeGreaterThan(ys[1] as number);
    expect(ys[1]).toBeGreaterThan(ys[2] as number);
    expect(svg.querySelectorAll('circle.chart-point title').map((t) => t.text)).toEqual([
      '15/05: 0%',
      '16/05: 25%',
      '25/05: 50%',
    ]);
  });

  it('writes the first and last day under the axis, dashes the target, and names itself', () => {
    const svg = line(points);
    const axis = svg.querySelectorAll('text.chart-axis').map((t) => t.text);
    expect(axis).toEqual(expect.arrayContaining(['0%', '50%', '100%', '15/05', '25/05']));
    expect(svg.querySelector('line.chart-target')?.getAttribute('stroke-dasharray')).toBe('6 4');
    expect(svg.getAttribute('aria-labelledby')).toBe('t-title t-desc');
    expect(svg.toString()).not.toMatch(/style=/);
  });

  it('draws a single day as a dot in the middle, and nothing for no day', () => {
    const one = line([{ day: '2026-06-01', share: 0.4 }]);
    expect(one.querySelectorAll('line.chart-line')).toHaveLength(0);
    expect(one.querySelector('circle.chart-point')?.getAttribute('cx')).toBe('50%');
    const none = line([]);
    expect(none.querySelectorAll('circle')).toHaveLength(0);
  });
});
