/**
 * The HTML report: one self-contained file (uPlot, its CSS, the page script and the data are
 * inlined) that opens offline. Per trace: the SLO stated, a strip of every policy's SLO violations
 * and events, the summary table, every event other than scaling, then one panel per policy (open
 * one at a time): load, demand and its instances in service; its p99 against the SLO line and its
 * CPU against the target.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunResult } from '@headroom/core/model/replay.js';
import { SUMMARY_COLUMNS } from '../columns.js';
import type { ServiceSlo } from '@headroom/core/model/service.js';
import { groupByTrace, marksOnly, onePolicy, traceChart, type TraceChart } from './chartData.js';

export interface ReportInput {
  title: string;
  subtitle?: string;
  /** Every run of every trace; they are grouped by `summary.trace`, in order of first appearance. */
  runs: readonly RunResult[];
  /** Plain-text paragraphs shown under the title (assumptions, how the run was made). */
  notes?: readonly string[];
  /** Most slots per series in a chart (default 2,000), so a month of minutes stays small. */
  maxPointsPerSeries?: number;
  /** The replayed service's objectives: drawn as lines on the p99 and CPU panels, and stated. */
  slo?: Pick<ServiceSlo, 'p99LatencyMs' | 'cpuTargetPct'>;
}

/** The JSON embedded in the page (id `report-data`), as the page script reads it. */
export interface ReportData {
  traces: TraceChart[];
  /** Line colour per policy name. */
  colors: Record<string, string>;
  /** The objectives drawn on the p99 and CPU panels, when known. */
  slo?: Pick<ServiceSlo, 'p99LatencyMs' | 'cpuTargetPct'>;
}

export const DEFAULT_MAX_POINTS = 2000;
/** Events other than scaling are listed by name under a chart, up to this many per policy. */
const LISTED_EVENTS_PER_POLICY = 20;

const KNOWN_COLORS: Record<string, string> = {
  headroom: '#1f77b4',
  oracle: '#2ca02c',
  'aws-combined': '#ff7f0e',
  'aws-target-tracking': '#9467bd',
  'aws-predictive': '#8c564b',
  'static-peak': '#7f7f7f',
  'static-mean': '#bcbd22',
};
const SPARE_COLORS = ['#17becf', '#e377c2', '#aec7e8', '#ffbb78', '#98df8a', '#c5b0d5'];

/** Renders the whole report as one HTML string. */
export function renderHtmlReport(input: ReportInput): string {
  const maxPoints = input.maxPointsPerSeries ?? DEFAULT_MAX_POINTS;
  const groups = [...groupByTrace(input.runs)];
  const colors = policyColors(input.runs.map((r) => r.summary.policy));
  // data.traces holds, per trace, the overview strip's marks (when several policies ran), then one
  // entry per policy's panel;
  // each entry's index is the id (trace-<index>) of the element it is drawn in.
  const traces: TraceChart[] = [];
  const sections = groups.map(([trace, runs]) => {
    const chart = traceChart(trace, runs, maxPoints);
    // A single policy's panel has its own marks: no overview strip then.
    const overview = runs.length > 1 ? traces.push(marksOnly(chart)) - 1 : -1;
    const panels = chart.policies.map((policy) => traces.push(onePolicy(chart, policy)) - 1);
    return traceSection(trace, runs, { overview, panels }, colors, input.slo);
  });
  return reportPage({
    title: input.title,
    ...(input.subtitle ? { subtitle: input.subtitle } : {}),
    notes: input.notes ?? [],
    body: sections.join('\n') || '<p>No runs to show.</p>',
    footer: columnLegend(),
    data: { traces, colors, ...(input.slo ? { slo: input.slo } : {}) },
  });
}

export interface PageParts {
  title: string;
  subtitle?: string;
  notes: readonly string[];
  /** HTML of <main>. */
  body: string;
  /** HTML of <footer>, if any. */
  footer?: string;
  /** Styles added after the page's own. */
  css?: string;
  /** What the page script draws (id `report-data`). */
  data: ReportData;
}

/** The one page every report is: inlined uPlot, styles, header, body, embedded data, page script. */
export function reportPage(page: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${uplotAsset('uPlot.min.css')}</style>
<style>${PAGE_CSS}${page.css ?? ''}</style>
</head>
<body>
<header>
<h1>${escapeHtml(page.title)}</h1>
${page.subtitle ? `<p class="subtitle">${escapeHtml(page.subtitle)}</p>` : ''}
${page.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
</header>
<main>
${page.body}
</main>
${page.footer ? `<footer>${page.footer}</footer>` : ''}
<script id="report-data" type="application/json">${scriptSafeJson(page.data)}</script>
<script>${uplotAsset('uPlot.iife.min.js')}</script>
<script>${pageScript()}</script>
</body>
</html>
`;
}

/** A stable colour per policy: the well-known ones keep theirs across reports. */
export function policyColors(policies: readonly string[]): Record<string, string> {
  const colors: Record<string, string> = {};
  let spare = 0;
  for (const policy of policies) {
    if (colors[policy]) continue;
    colors[policy] = KNOWN_COLORS[policy] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length]!;
  }
  return colors;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close the <script> element it sits in. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function sloStatement(slo: ReportInput['slo']): string {
  return slo
    ? `SLO: p99 latency at most ${slo.p99LatencyMs} ms (red line on the p99 panels); CPU target ${slo.cpuTargetPct} % (dashed grey line).`
    : 'SLO: not given for this run; the p99 and CPU panels show no objective line.';
}

function eventItem(run: RunResult, e: RunResult['events'][number], dot: string): string {
  return `<li>${dot}${escapeHtml(run.summary.policy)} · ${formatUtc(e.at)} · ${e.kind}: ${escapeHtml(e.label)}</li>`;
}

/** Every event other than scaling, per policy: the first ones listed, the rest one click away. */
function eventList(runs: readonly RunResult[], colors: Record<string, string>): string[] {
  return runs.flatMap((run) => {
    const others = run.events.filter((e) => e.kind !== 'scaling');
    const dot = `<span class="dot" style="background:${colors[run.summary.policy]}"></span>`;
    const items = others.slice(0, LISTED_EVENTS_PER_POLICY).map((e) => eventItem(run, e, dot));
    const rest = others.slice(LISTED_EVENTS_PER_POLICY).map((e) => eventItem(run, e, dot));
    return rest.length > 0
      ? [
          ...items,
          `<li><details><summary>${dot}${escapeHtml(run.summary.policy)}: ${rest.length} more</summary><ul>${rest.join('')}</ul></details></li>`,
        ]
      : items;
  });
}

/** The panel opened first: Headroom's when it ran, else the first policy's. */
function openedPanel(runs: readonly RunResult[]): number {
  return Math.max(
    0,
    runs.findIndex((r) => r.summary.policy === 'headroom'),
  );
}

function traceSection(
  trace: string,
  runs: readonly RunResult[],
  ids: { overview: number; panels: readonly number[] },
  colors: Record<string, string>,
  slo: ReportInput['slo'],
): string {
  const first = runs[0]?.timeline[0]?.at;
  const last = runs[0]?.timeline.at(-1)?.at;
  const span =
    first !== undefined && last !== undefined
      ? `${formatUtc(first)} → ${formatUtc(last)} UTC, ${runs[0]?.summary.minutes.toLocaleString('en-US')} minutes`
      : 'empty timeline';
  const listed = eventList(runs, colors);
  const opened = openedPanel(runs);
  const panels = runs.map((run, i) => {
    const s = run.summary;
    const dot = `<span class="dot" style="background:${colors[s.policy]}"></span>`;
    return `<details class="policy"${i === opened ? ' open' : ''}><summary>${dot}<b>${escapeHtml(s.policy)}</b>: ${s.sloViolationMinutes.toLocaleString('en-US')} SLO-violation minutes, ${s.instanceHours.toFixed(1)} instance-hours</summary>
<div id="trace-${ids.panels[i]}" class="panel" data-height="240">
<p class="caption">Load (grey, right axis), demand d(t) (dashed) and ${escapeHtml(s.policy)}'s instances in service</p>
<div class="chart"></div>
<p class="caption">p99 latency (left axis, ms) against the SLO${slo ? ` of ${slo.p99LatencyMs} ms` : ''}; CPU (right axis, %)${slo ? ` against the ${slo.cpuTargetPct} % target` : ''}</p>
<div class="kpi"></div>
<div class="strip"></div>
</div>
</details>`;
  });
  return `<section>
<h2>${escapeHtml(trace)}</h2>
<p class="span">${span}</p>
<p class="slo">${escapeHtml(sloStatement(slo))}</p>
${runs.length > 1 ? `<div id="trace-${ids.overview}" class="overview"><div class="strip"></div></div>\n` : ''}<p class="marks"><span class="mark violation"></span>SLO violated <span class="mark tick"></span>scaling action <span class="mark diamond"></span>remediation / alarm <span class="mark gap"></span>gap in the trace · drag to zoom, double-click to reset</p>
${summaryTable(runs, colors)}
${listed.length ? `<details><summary>Events other than scaling (${runs.reduce((n, r) => n + r.events.filter((e) => e.kind !== 'scaling').length, 0).toLocaleString('en-US')})</summary><ul class="events">${listed.join('')}</ul></details>` : ''}
<h3>One panel per policy${runs.length > 1 ? ' (click a name to open or close it)' : ''}</h3>
${panels.join('\n')}
</section>`;
}

function summaryTable(runs: readonly RunResult[], colors: Record<string, string>): string {
  const head = SUMMARY_COLUMNS.map(
    (c) =>
      `<th class="${c.align}" title="${escapeHtml(c.meaning)}">${escapeHtml(c.header)}${c.unit ? `<br><small>${escapeHtml(c.unit)}</small>` : ''}</th>`,
  ).join('');
  const rows = runs
    .map((run) => {
      const cells = SUMMARY_COLUMNS.map((c, i) => {
        const swatch =
          i === 0 ? `<span class="dot" style="background:${colors[run.summary.policy]}"></span>` : '';
        return `<td class="${c.align}">${swatch}${escapeHtml(c.format(run.summary))}</td>`;
      }).join('');
      return `<tr${run.summary.policy === 'headroom' ? ' class="own"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="summary"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function columnLegend(): string {
  const items = SUMMARY_COLUMNS.slice(1).map(
    (c) =>
      `<dt>${escapeHtml(c.header)}${c.unit ? ` (${escapeHtml(c.unit)})` : ''}</dt><dd>${escapeHtml(c.meaning)}</dd>`,
  );
  return `<dl>${items.join('')}</dl><p>Generated by headroom. Times are UTC.</p>`;
}

function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

const require = createRequire(import.meta.url);

function uplotAsset(file: string): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

function pageScript(): string {
  return readFileSync(new URL('./client.js', import.meta.url), 'utf8');
}

const PAGE_CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #222; background: #fafafa; }
header, main, footer { max-width: 1320px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 22px; margin: 20px 0 4px; }
h2 { font-size: 18px; margin: 0 0 2px; }
.subtitle { color: #555; margin: 0 0 8px; }
.note { color: #444; font-size: 13px; margin: 4px 0; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 14px 16px; margin: 16px 0; }
.span { color: #666; font-size: 12px; margin: 0 0 8px; }
.chart, .strip { width: 100%; }
.marks { font-size: 12px; color: #555; margin: 6px 0 0; }
.mark { display: inline-block; margin: 0 4px 0 10px; vertical-align: middle; }
.mark.violation { width: 10px; height: 8px; background: #d62728; }
.mark.tick { width: 2px; height: 9px; background: #1f77b4; }
.mark.diamond { width: 8px; height: 8px; background: #7b3294; transform: rotate(45deg); }
.mark.gap { width: 8px; height: 8px; background: #999; transform: rotate(45deg); }
table.summary { border-collapse: collapse; font-size: 13px; margin-top: 10px; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 4px 10px; border-bottom: 1px solid #eee; }
table.summary th { font-weight: 600; border-bottom: 2px solid #ccc; vertical-align: bottom; }
table.summary small { color: #777; font-weight: 400; }
.right { text-align: right; } .left { text-align: left; }
tr.own td { font-weight: 600; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
details { font-size: 13px; margin-top: 8px; }
.slo { font-size: 13px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
details.policy { border-top: 1px solid #eee; padding-top: 4px; }
details.policy > summary { cursor: pointer; font-size: 14px; padding: 4px 0; }
.caption { font-size: 12px; color: #555; margin: 8px 0 2px; }
ul.events { list-style: none; padding-left: 4px; }
footer { font-size: 12px; color: #555; padding-bottom: 24px; }
footer dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
footer dt { font-weight: 600; } footer dd { margin: 0; }
`;
