import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';
import { percent, shortDay } from './campaign-format.ts';

/**
 * The dashboard's charts as server-rendered SVG (pure: data in, markup out). No script, no `style=""`
 * (the console's CSP allows neither): shapes carry classes that console.css colours, and geometry is
 * written in attributes. Horizontal positions are percentages of the chart's width and vertical ones
 * pixels, so a chart fills a phone's 360 px or a desk's screen with its text at the same readable
 * size (a viewBox would shrink the text with the width). Each chart is an image with a <title> and a
 * <desc> that say what it shows; the page puts the same figures in a table beside it.
 */

export type Bar = {
  label: string;
  /** 0–1, drawn capped. */
  share: number;
  /** The figures behind the share, read as the bar's tooltip: "3/5 hộ". */
  detail: string;
  /** Reached the target: marked with a sign as well as a colour. */
  reached: boolean;
};

export type Point = { day: string; share: number };

const clamp = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
/** A share of the width as an attribute value: 0.6 → "60%", 0.12345 → "12.35%". */
const at = (share: number) => `${Math.round(share * 10_000) / 100}%`;

const frame = (id: string, title: string, desc: string, height: number, kind: string, body: SafeHtml) =>
  html`<svg class="chart ${kind}" width="100%" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false" xmlns="http://www.w3.org/2000/svg"><title id="${id}-title">${title}</title><desc id="${id}-desc">${desc}</desc>${body}</svg>`;

const barRow = 46;
/** The bars take this share of the width; the figure is written just after, in the rest. */
const barWidth = 0.8;

/** One horizontal bar per item (label above its bar, the share after it) and the target marked. */
export function barChart(o: {
  id: string;
  title: string;
  desc: string;
  bars: Bar[];
  target: number;
}): SafeHtml {
  const target = clamp(o.target);
  const rows = o.bars.map((b, i) => {
    const top = i * barRow;
    const share = clamp(b.share);
    return html`<g class="chart-row${b.reached ? ' reached' : ''}"><title>${b.label}: ${b.detail} (${percent(share)})</title>
<text class="chart-label" x="0" y="${top + 15}">${b.label}</text>
<rect class="chart-track" x="0" y="${top + 21}" width="${at(barWidth)}" height="16"></rect>
<rect class="chart-bar" x="0" y="${top + 21}" width="${at(share * barWidth)}" height="16"></rect>
<line class="chart-target" x1="${at(target * barWidth)}" x2="${at(target * barWidth)}" y1="${top + 18}" y2="${top + 40}"></line>
<text class="chart-value" x="${at(barWidth + 0.015)}" y="${top + 34}">${percent(share)}${b.reached ? ` ${vi.campaigns.charts.reachedMark}` : ''}</text></g>`;
  });
  return frame(o.id, o.title, o.desc, o.bars.length * barRow + 4, 'bar-chart', html`${rows}`);
}

const dayNumber = (iso: string) =>
  Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000;

/**
 * A line of a share over the days (the daily snapshots), with grid lines at every quarter, the target
 * dashed, the days spaced by the calendar (a week without a snapshot is a week wide), and the first,
 * middle and last day written under the axis. Each point carries its day and value as a tooltip.
 */
export function lineChart(o: {
  id: string;
  title: string;
  desc: string;
  points: Point[];
  target: number;
  height?: number;
}): SafeHtml {
  const height = o.height ?? 220;
  const top = 22;
  const bottom = height - 28;
  const y = (share: number) => Math.round((bottom - clamp(share) * (bottom - top)) * 10) / 10;
  const points = [...o.points].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const first = points[0] ? dayNumber(points[0].day) : 0;
  const span = points.length > 1 ? dayNumber(points.at(-1)?.day ?? '') - first : 0;
  // The plot keeps a margin at both ends so the first and last points are whole.
  const x = (iso: string) => (span === 0 ? 0.5 : 0.03 + ((dayNumber(iso) - first) / span) * 0.94);
  const grid = [0, 0.25, 0.5, 0.75, 1].map(
    (g) =>
      html`<line class="chart-grid" x1="0" x2="100%" y1="${y(g)}" y2="${y(g)}"></line><text class="chart-axis" x="0" y="${y(g) - 4}">${percent(g)}</text>`,
  );
  const target = html`<line class="chart-target" x1="0" x2="100%" y1="${y(o.target)}" y2="${y(o.target)}" stroke-dasharray="6 4"></line>`;
  const segments = points
    .slice(1)
    .map(
      (p, i) =>
        html`<line class="chart-line" x1="${at(x(points[i]?.day ?? p.day))}" y1="${y(points[i]?.share ?? 0)}" x2="${at(x(p.day))}" y2="${y(p.share)}"></line>`,
    );
  // A dot per day while they stay apart; on a long campaign only the last day's.
  const dotted = points.length <= 62 ? points : points.slice(-1);
  const dots = dotted.map(
    (p) =>
      html`<circle class="chart-point" cx="${at(x(p.day))}" cy="${y(p.share)}" r="4"><title>${shortDay(p.day)}: ${percent(clamp(p.share))}</title></circle>`,
  );
  // The first and last days under the axis, and one between when it has room.
  const labelled: [string, 'start' | 'middle' | 'end'][] = [];
  const [firstPoint, lastPoint] = [points[0], points.at(-1)];
  if (firstPoint && lastPoint && span === 0) labelled.push([firstPoint.day, 'middle']);
  else if (firstPoint && lastPoint) {
    const mid = points[Math.floor((points.length - 1) / 2)];
    labelled.push([firstPoint.day, 'start']);
    if (mid && x(mid.day) > 0.3 && x(mid.day) < 0.7) labelled.push([mid.day, 'middle']);
    labelled.push([lastPoint.day, 'end']);
  }
  const axis = labelled.map(([d, anchor]) => {
    const where = span === 0 ? '50%' : anchor === 'start' ? '0' : anchor === 'end' ? '100%' : at(x(d));
    return html`<text class="chart-axis" x="${where}" y="${height - 8}" text-anchor="${anchor}">${shortDay(d)}</text>`;
  });
  return frame(o.id, o.title, o.desc, height, 'line-chart', html`${grid}${target}${segments}${dots}${axis}`);
}
