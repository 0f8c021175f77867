// The HQ dashboard's charts (Apache ECharts, canvas, bundled with the renderer): compliance per centre per day,
// breaches by rule and day, per-kiosk false-reject rate and uptime, and one person's calendar. Every chart has
// its figures as a table beside it (screen readers, and to check that the numbers agree with the tables).
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  CalendarComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { CalendarView, ChartsView } from '../../core/api/hq-api.ts';
import { type Child, columnHeads, h } from '../dom.ts';
import { data } from '../findings.ts';
import { percent } from '../numbers.ts';
import { ruleText, stateText } from '../screen-words.ts';
import { ROSTER_STATES, type RosterState } from '../../core/api/staff-api.ts';
import { q, qn } from './hq-strings.ts';

use([
  LineChart,
  BarChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CalendarComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

function chart(title: string, option: EChartsCoreOption, table: HTMLElement, note?: Child): HTMLElement {
  const canvas = h('div', { 'class': 'chart', 'role': 'img', 'aria-label': title });
  const box = h(
    'figure',
    { 'class': 'chart-box', 'data-chart': title },
    h('figcaption', {}, title),
    note ?? null,
    canvas,
    h('details', {}, h('summary', {}, q('asTable')), table),
  );
  // Drawn once the box is in the page (ECharts measures its container).
  requestAnimationFrame(() => {
    init(canvas, undefined, { renderer: 'canvas' }).setOption(option);
  });
  return box;
}

function table(head: readonly string[], rows: readonly (readonly Child[])[]): HTMLElement {
  return h(
    'table',
    {},
    columnHeads(head),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

export function trendCharts(v: ChartsView): HTMLElement[] {
  const centres = [...new Set(v.compliance.map((c) => c.centre))];
  // Centre-days a withheld entry casts doubt over: under review, as the centre table and the calendar show them.
  const doubted = v.compliance.filter((c) => c.inDoubt === true);
  const doubtDays = [...new Set(doubted.map((c) => c.day))];
  const doubt =
    doubtDays.length > 0
      ? h(
          'p',
          { 'class': 'hint', 'data-doubt': doubtDays.join(' ') },
          '🔎 ',
          qn('chartDoubt', { days: doubtDays.join(', ') }),
        )
      : null;
  const review = `🔎 ${stateText('review')}`;
  const compliance = chart(
    q('chartCompliance'),
    {
      tooltip: { trigger: 'axis' },
      legend: { data: centres },
      xAxis: { type: 'category', data: v.days },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: centres.map((centre) => ({
        name: centre,
        type: 'line',
        data: v.days.map((day) => {
          const c = v.compliance.find((x) => x.centre === centre && x.day === day)?.compliance;
          return c === null || c === undefined ? null : Math.round(c * 1000) / 10;
        }),
      })),
    },
    table(
      [q('colCentre'), q('colDay'), q('colDue'), q('colOpen'), q('colCompliance')],
      v.compliance.map((c) => [
        data(c.centre),
        c.day,
        c.due,
        c.open,
        c.inDoubt === true ? review : c.compliance === null ? '—' : percent(c.compliance),
      ]),
    ),
    [doubt, h('p', { class: 'hint' }, q('complianceDefinition'))],
  );
  const rules = [...new Set(v.breaches.map((b) => b.rule))];
  const breaches = chart(
    q('chartBreaches'),
    {
      tooltip: { trigger: 'axis' },
      legend: { data: rules.map(ruleText) },
      xAxis: { type: 'category', data: v.days },
      yAxis: { type: 'value', minInterval: 1 },
      series: rules.map((rule) => ({
        name: ruleText(rule),
        type: 'bar',
        stack: 'breaches',
        data: v.days.map((day) => v.breaches.find((b) => b.rule === rule && b.day === day)?.count ?? 0),
      })),
    },
    table(
      [q('colDay'), q('colReasons'), q('colCount')],
      [
        ...v.breaches.map((b): Child[] => [b.day, ruleText(b.rule), b.count]),
        ...doubted.map((c): Child[] => [c.day, [review, ' ', data(c.centre)], '—']),
      ],
    ),
    doubt?.cloneNode(true),
  );
  const kiosks = chart(
    q('chartKiosks'),
    {
      tooltip: { trigger: 'axis' },
      legend: { data: [q('falseRejectRate'), q('uptime')] },
      xAxis: { type: 'category', data: v.kiosks.map((k) => k.kiosk) },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: q('falseRejectRate'),
          type: 'bar',
          data: v.kiosks.map((k) => (k.falseRejectRate === null ? null : Math.round(k.falseRejectRate * 1000) / 10)),
        },
        { name: q('uptime'), type: 'bar', data: v.kiosks.map((k) => Math.round(k.uptime * 1000) / 10) },
      ],
    },
    table(
      [q('colKiosk'), q('colAttempts'), q('colFalseRejects'), q('falseRejectRate'), q('uptime')],
      v.kiosks.map((k) => [
        data(k.kiosk),
        k.attempts,
        k.falseRejects,
        k.falseRejectRate === null ? '—' : percent(k.falseRejectRate),
        percent(k.uptime),
      ]),
    ),
    h('p', { class: 'hint' }, q('falseRejectDefinition')),
  );
  return [compliance, breaches, kiosks];
}

/** 0 not due, 1 excused or open, 2 checked in, 3 breach: one colour each, and the words in the table. */
function calendarValue(state: string, breaches: number): number {
  if (breaches > 0) return 3;
  if (state === 'checked-in') return 2;
  return state === 'not-due' ? 0 : 1;
}

function dayState(state: string): string {
  return (ROSTER_STATES as readonly string[]).includes(state) ? stateText(state as RosterState) : q('calNotDue');
}

export function calendarChart(v: CalendarView): HTMLElement {
  const first = v.days[0]?.day ?? '';
  const last = v.days.at(-1)?.day ?? first;
  return chart(
    q('calendar'),
    {
      tooltip: {},
      visualMap: {
        type: 'piecewise',
        orient: 'horizontal',
        left: 'center',
        pieces: [
          { value: 0, label: q('calNotDue'), color: '#e0e0e0' },
          { value: 1, label: q('calOpen'), color: '#f9d57a' },
          { value: 2, label: q('calChecked'), color: '#3b8e5a' },
          { value: 3, label: q('calBreach'), color: '#b3261e' },
        ],
      },
      calendar: { range: [first, last], cellSize: ['auto', 18], top: 70 },
      series: [
        {
          type: 'heatmap',
          coordinateSystem: 'calendar',
          data: v.days.map((d) => [d.day, calendarValue(d.state, d.breaches)]),
        },
      ],
    },
    table(
      [q('colDay'), q('colState'), q('calChecked'), q('calBreach')],
      v.days.map((d) => [d.day, dayState(d.state), d.checkedIn ? '✅' : '—', d.breaches]),
    ),
  );
}
