import * as Plot from '@observablehq/plot';
import type { Charts, Options } from './api.js';
import { formatDay, formatMonth, h } from './dom.js';
import { chartColour } from './theme.js';

const WIDTH = 460;

/** The top of a count axis: never below 1, so an empty chart still has a readable scale. */
const upper = (rows: Array<{ value: number }>): number => Math.max(1, ...rows.map((row) => row.value));

/** "Access (a copy of their data)" reads as "Access" on an axis; the table keeps the whole label. */
const short = (label: string): string => label.split(' (')[0] ?? label;

interface Column<T> {
  heading: string;
  value: (row: T) => string | number;
}

/** The chart's text equivalent: the same figures as a table, for screen readers and for copying. */
function table<T>(caption: string, columns: Array<Column<T>>, rows: T[]): HTMLTableElement {
  return h(
    'table',
    { class: 'figures' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column.heading)))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          ...columns.map((column, i) => {
            const text = String(column.value(row));
            return i === 0 ? h('th', { scope: 'row' }, text) : h('td', {}, text);
          }),
        ),
      ),
    ),
  );
}

type Counted = { label: string; value: number };

/** What every chart shares: its title and summary read aloud, its width, a transparent background. */
function frame(title: string, summary: string) {
  return {
    ariaLabel: title,
    ariaDescription: summary,
    width: WIDTH,
    style: { background: 'transparent', fontSize: '12px' },
  };
}

const tip = (row: Counted) => `${row.label}: ${row.value}`;

/** Horizontal bars, one per labelled category, in the order given. */
function bars(title: string, summary: string, rows: Counted[], unit: string): Element {
  return Plot.plot({
    ...frame(title, summary),
    height: 40 + rows.length * 28,
    marginLeft: 170,
    x: { label: unit, grid: true, domain: [0, upper(rows)], ticks: Math.min(5, upper(rows)) },
    y: { label: null, domain: rows.map((row) => row.label) },
    marks: [Plot.barX(rows, { x: 'value', y: 'label', fill: chartColour(), title: tip }), Plot.ruleX([0])],
  });
}

/** Vertical columns over time; only every n-th label is written so that thirty days stay legible. */
function columns(title: string, summary: string, rows: Counted[], unit: string, yDomain?: [number, number]): Element {
  const every = Math.ceil(rows.length / 10);
  return Plot.plot({
    ...frame(title, summary),
    height: 240,
    marginBottom: 40,
    x: {
      label: null,
      domain: rows.map((row) => row.label),
      tickFormat: (label: string, i: number) => (i % every === 0 ? label : ''),
    },
    y: {
      label: unit,
      grid: true,
      domain: yDomain ?? [0, upper(rows)],
      ticks: Math.min(5, yDomain?.[1] ?? upper(rows)),
    },
    marks: [Plot.barY(rows, { x: 'label', y: 'value', fill: chartColour(), title: tip }), Plot.ruleY([0])],
  });
}

function line(title: string, summary: string, rows: Counted[], unit: string): Element {
  return Plot.plot({
    ...frame(title, summary),
    height: 240,
    marginBottom: 40,
    x: {
      label: null,
      type: 'point',
      domain: rows.map((row) => row.label),
      tickFormat: (l: string, i: number) => (i % 2 === 0 ? l : ''),
    },
    y: { label: unit, grid: true, domain: [0, upper(rows)], ticks: Math.min(5, upper(rows)) },
    marks: [
      Plot.lineY(rows, { x: 'label', y: 'value', stroke: chartColour(), strokeWidth: 2 }),
      Plot.dot(rows, { x: 'label', y: 'value', fill: chartColour(), title: tip }),
      Plot.ruleY([0]),
    ],
  });
}

/** One chart of the dashboard: drawn once, summed up in a sentence, its figures as a table. */
interface ChartSpec<T> {
  key: string;
  title: string;
  summary: string;
  draw: (title: string, summary: string) => Element;
  columns: Array<Column<T>>;
  rows: T[];
}

function figure<T>(spec: ChartSpec<T>): HTMLElement {
  return h(
    'fluent-card',
    { class: 'chart', 'data-chart': spec.key, role: 'group', 'aria-labelledby': `chart-${spec.key}` },
    h('h3', { id: `chart-${spec.key}` }, spec.title),
    h('p', { class: 'summary' }, spec.summary),
    spec.draw(spec.title, spec.summary),
    h('details', {}, h('summary', {}, 'Show the figures as a table'), table(spec.title, spec.columns, spec.rows)),
  );
}

/** The table of a chart that counts one thing per label. */
const counted = (labelHeading: string, valueHeading: string): Array<Column<Counted>> => [
  { heading: labelHeading, value: (row) => row.label },
  { heading: valueHeading, value: (row) => row.value },
];

const labelOf = (options: Array<{ value: string; label: string }>, value: string) =>
  options.find((option) => option.value === value)?.label ?? value;

/** Every chart of the dashboard, each with a sentence that sums it up and its figures as a table. */
export function renderCharts(container: HTMLElement, charts: Charts, options: Options): void {
  const stage = charts.openByStage.map((s) => ({ label: labelOf(options.statuses, s.status), value: s.count }));
  const due = charts.dueNext30Days.map((d) => ({ label: formatDay(d.day), value: d.count }));
  const dueTotal = due.reduce((sum, d) => sum + d.value, 0);
  const onTime = charts.onTimeByMonth.map((m) => ({
    label: formatMonth(m.month),
    value: m.rate === null ? 0 : Math.round(m.rate * 1000) / 10,
    ...m,
  }));
  const answeredYear = charts.onTimeByMonth.reduce((sum, m) => sum + m.onTime + m.late, 0);
  const onTimeYear = charts.onTimeByMonth.reduce((sum, m) => sum + m.onTime, 0);
  const median = charts.medianDaysByRight.map((r) => ({
    label: short(labelOf(options.rights, r.right)),
    value: r.medianDays ?? 0,
    ...r,
  }));
  const byRight = charts.volumeByRight.map((r) => ({ label: short(labelOf(options.rights, r.right)), value: r.count }));
  const bySystem = charts.volumeBySystem.map((s) => ({ label: s.name, value: s.count }));
  // "Dynamics 365 Business Central" fits an axis as "Business Central"; the table keeps the whole name.
  const bySystemAxis = bySystem.map((s) => ({ ...s, label: s.label.replace(/^Dynamics 365 /, '') }));
  const overdue = charts.overdueOverTime.map((m) => ({ label: formatMonth(m.month), value: m.count }));

  const text = {
    stage: `${charts.open} open cases; ${charts.overdue} overdue.`,
    due: `${dueTotal} open cases fall due in the next 30 days.`,
    onTime:
      answeredYear === 0
        ? 'No case was answered in the last 12 months.'
        : `${onTimeYear} of ${answeredYear} cases answered in the last 12 months were on time (${Math.round((onTimeYear / answeredYear) * 100)}%).`,
    median: 'The median number of calendar days from receipt to answer, per right requested.',
    byRight: `${charts.total} cases in the register; a case with several rights counts once for each.`,
    bySystem:
      bySystem.length === 0
        ? 'No system has been searched with data found yet.'
        : 'Cases that found data in, or planned steps for, each system.',
    overdue: 'Cases past their due date without an answer, at the end of each month (this month: today).',
  };

  container.replaceChildren(
    figure({
      key: 'stages',
      title: 'Open cases by stage',
      summary: text.stage,
      draw: (title, summary) => bars(title, summary, stage, 'Cases'),
      columns: counted('Stage', 'Cases'),
      rows: stage,
    }),
    figure({
      key: 'due',
      title: 'Due in the next 30 days',
      summary: text.due,
      draw: (title, summary) => columns(title, summary, due, 'Cases'),
      columns: counted('Day', 'Cases due'),
      rows: due,
    }),
    figure({
      key: 'on-time',
      title: 'On-time rate per month',
      summary: text.onTime,
      draw: (title, summary) => columns(title, summary, onTime, 'On time (%)', [0, 100]),
      columns: [
        { heading: 'Month', value: (r) => r.label },
        { heading: 'On time', value: (r) => r.onTime },
        { heading: 'Late', value: (r) => r.late },
        { heading: 'On-time rate', value: (r) => (r.rate === null ? 'none answered' : `${r.value}%`) },
      ],
      rows: onTime,
    }),
    figure({
      key: 'median-days',
      title: 'Median days to answer per right',
      summary: text.median,
      draw: (title, summary) => bars(title, summary, median, 'Days'),
      columns: [
        { heading: 'Right', value: (r) => r.label },
        { heading: 'Median days', value: (r) => (r.medianDays === null ? 'none answered' : r.medianDays) },
        { heading: 'Cases answered', value: (r) => r.answered },
      ],
      rows: median,
    }),
    figure({
      key: 'by-right',
      title: 'Cases per right',
      summary: text.byRight,
      draw: (title, summary) => bars(title, summary, byRight, 'Cases'),
      columns: counted('Right', 'Cases'),
      rows: byRight,
    }),
    figure({
      key: 'by-system',
      title: 'Cases per system',
      summary: text.bySystem,
      draw: (title, summary) => bars(title, summary, bySystemAxis, 'Cases'),
      columns: counted('System', 'Cases'),
      rows: bySystem,
    }),
    figure({
      key: 'overdue',
      title: 'Overdue cases over time',
      summary: text.overdue,
      draw: (title, summary) => line(title, summary, overdue, 'Cases'),
      columns: counted('Month', 'Overdue'),
      rows: overdue,
    }),
  );
}
