import { describe, expect, it } from '@jest/globals';
import { renderHtmlReport, type ReportData } from '@headroom/lab/cli/report/html';
import type { TraceChart } from '@headroom/lab/cli/report/chartData';
import { syntheticRun } from './fixtures.js';

function embeddedData(html: string): ReportData {
  const match = /<script id="report-data" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('report has no embedded chart data');
  return JSON.parse(match[1]) as ReportData;
}

/** The overview entry of a trace (marks of every policy, when several ran) and one panel entry per policy. */
function entriesOf(data: ReportData, trace: string): { overview?: TraceChart; panels: TraceChart[] } {
  const all = data.traces.filter((t) => t.trace === trace);
  if (all.length === 0) throw new Error(`no chart data for ${trace}`);
  return all.length === 1 ? { panels: all } : { overview: all[0]!, panels: all.slice(1) };
}

const POLICIES = [
  'headroom',
  'aws-combined',
  'aws-target-tracking',
  'aws-predictive',
  'static-peak',
  'static-mean',
  'oracle',
];

describe('renderHtmlReport', () => {
  it('groups runs by trace and embeds load, demand and capacity per policy', () => {
    const runs = [
      syntheticRun('trace-a', 'headroom', 120, 0),
      syntheticRun('trace-b', 'headroom', 60, 0),
      syntheticRun('trace-a', 'oracle', 120, 5),
    ];
    const data = embeddedData(renderHtmlReport({ title: 'T', runs }));
    expect([...new Set(data.traces.map((t) => t.trace))]).toEqual(['trace-a', 'trace-b']);
    const { overview, panels } = entriesOf(data, 'trace-a');
    // The overview strip carries every policy's marks, no series; each panel one policy's series.
    expect(overview!.policies.map((p) => p.policy)).toEqual(['headroom', 'oracle']);
    expect(overview!.policies[0]!.inService).toEqual([]);
    expect(overview!.load).toEqual([]);
    // One policy: its panel only, no overview strip.
    expect(entriesOf(data, 'trace-b').panels.map((t) => t.policies.length)).toEqual([1]);
    expect(data.traces.filter((t) => t.trace === 'trace-b')).toHaveLength(1);
    expect(panels.map((t) => t.policies.map((p) => p.policy))).toEqual([['headroom'], ['oracle']]);
    const oracle = panels[1]!;
    expect(oracle.x).toHaveLength(120);
    expect(oracle.load[0]).toBe(runs[0]!.timeline[0]!.load);
    expect(oracle.demand).toEqual(runs[0]!.timeline.map((p) => p.demand));
    expect(oracle.policies[0]!.inService).toEqual(runs[2]!.timeline.map((p) => p.inService));
    expect(oracle.policies[0]!.p99).toEqual(runs[2]!.timeline.map((p) => p.p99LatencyMs));
    expect(oracle.policies[0]!.cpu).toEqual(runs[2]!.timeline.map((p) => p.cpuPct));
    const violated = runs[2]!.timeline.flatMap((p, i) => (p.sloViolated ? [i] : []));
    expect(violated.length).toBeGreaterThan(0);
    expect(overview!.policies[1]!.violationSlots).toEqual(violated);
    expect(overview!.policies[0]!.violationSlots).toEqual([]);
    expect(data.colors).toMatchObject({ headroom: '#1f77b4', oracle: '#2ca02c' });
  });

  it('lines up a run that covers only part of the trace by time, leaving the rest as gaps', () => {
    const full = syntheticRun('t', 'headroom', 120, 0);
    const late = syntheticRun('t', 'oracle', 120, 0);
    late.timeline = late.timeline.slice(30, 90);
    const { panels } = entriesOf(embeddedData(renderHtmlReport({ title: 'T', runs: [full, late] })), 't');
    const inService = panels[1]!.policies[0]!.inService;
    expect(inService.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => null));
    expect(inService.slice(30, 90)).toEqual(late.timeline.map((p) => p.inService));
    expect(inService.slice(90)).toEqual(Array.from({ length: 30 }, () => null));
  });

  it('is self-contained: uPlot, its CSS and the page script are inlined, nothing is fetched', () => {
    const html = renderHtmlReport({ title: 'T', runs: [syntheticRun('t', 'headroom', 30, 0)] });
    expect(html).toContain('var uPlot');
    expect(html).toContain('.uplot');
    expect(html).toContain("getElementById('report-data')");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)/);
  });

  it('keeps a month of minutes × 7 policies to at most 2,000 slots per series and a few MB', () => {
    const runs = POLICIES.map((p, i) => syntheticRun('month', p, 43_200, i * 3));
    const html = renderHtmlReport({ title: 'Month', runs });
    const { overview, panels } = entriesOf(embeddedData(html), 'month');
    expect(overview!.x).toHaveLength(2000);
    expect(panels).toHaveLength(7);
    for (const panel of panels) {
      const [p] = panel.policies;
      expect([p!.inService.length, p!.p99.length, p!.cpu.length]).toEqual([2000, 2000, 2000]);
    }
    expect(overview!.minutes).toBe(43_200);
    expect(html.length).toBeLessThan(3_000_000);
  });

  it('shows the summary table, the notes and the events other than scaling, escaped', () => {
    const run = syntheticRun('<trace & co>', 'headroom', 60, 0);
    run.events.push({ at: run.timeline[10]!.at, kind: 'remediation', label: 'db <bottleneck>' });
    const html = renderHtmlReport({
      title: 'A <b> title',
      subtitle: 'sub',
      notes: ['note "one"'],
      runs: [run],
    });
    expect(html).toContain('<title>A &#60;b&#62; title</title>');
    expect(html).toContain('<h2>&#60;trace &#38; co&#62;</h2>');
    expect(html).toContain('note &#34;one&#34;');
    expect(html).toContain('remediation: db &#60;bottleneck&#62;');
    expect(html).toContain('<table class="summary">');
    expect(html).toContain(`<td class="right">${run.summary.sloViolationMinutes}</td>`);
    const data = embeddedData(html);
    expect(entriesOf(data, '<trace & co>').panels[0]!.policies[0]!.eventSlots.remediation).toEqual([10]);
  });

  it('cannot be broken out of by a trace name that closes the script element', () => {
    const html = renderHtmlReport({ title: 'T', runs: [syntheticRun('</script><b>x', 'headroom', 5, 0)] });
    expect(embeddedData(html).traces[0]!.trace).toBe('</script><b>x');
  });

  it('says so when there is nothing to show', () => {
    expect(renderHtmlReport({ title: 'Empty', runs: [] })).toContain('No runs to show.');
  });
});

describe('events in the report', () => {
  it('keeps every event reachable: the first ones listed, the rest behind "N more"', () => {
    const run = syntheticRun('trace-a', 'headroom', 120, 0);
    const events = Array.from({ length: 80 }, (_, i) => ({
      at: run.timeline[0]!.at + i * 60_000,
      kind: 'remediation' as const,
      label: `remediation step ${i}`,
    }));
    const html = renderHtmlReport({ title: 'T', runs: [{ ...run, events }] });
    for (let i = 0; i < 80; i++) expect(html).toContain(`remediation: remediation step ${i}</li>`);
    expect(html).toMatch(/<details><summary><span class="dot"[^>]*><\/span>headroom: \d+ more<\/summary>/);
  });
});

describe('panels people read', () => {
  const runs = POLICIES.map((p, i) => syntheticRun('day', p, 1440, i));
  const slo = { p99LatencyMs: 500, cpuTargetPct: 70 };

  it('states the SLO and embeds it for the line on every p99 and CPU panel', () => {
    const html = renderHtmlReport({ title: 'T', runs, slo });
    expect(html).toContain(
      'SLO: p99 latency at most 500 ms (red line on the p99 panels); CPU target 70 % (dashed grey line).',
    );
    expect(embeddedData(html).slo).toEqual(slo);
    expect(html.match(/<div class="kpi"><\/div>/g)).toHaveLength(7);
    expect(html).toContain('p99 latency (left axis, ms) against the SLO of 500 ms');
  });

  it('says so when the SLO is not known, rather than drawing none silently', () => {
    const html = renderHtmlReport({ title: 'T', runs });
    expect(html).toContain('SLO: not given for this run');
    expect(embeddedData(html).slo).toBeUndefined();
  });

  it('gives each policy its own panel, Headroom open, the others one click away', () => {
    const html = renderHtmlReport({ title: 'T', runs, slo });
    const panels = [...html.matchAll(/<details class="policy"( open)?><summary>.*?<b>([^<]+)<\/b>/g)];
    expect(panels.map((m) => [m[2], m[1] === ' open'])).toEqual(POLICIES.map((p) => [p, p === 'headroom']));
    // Every panel's element exists under the id its chart data is drawn in.
    const data = embeddedData(html);
    data.traces.forEach((t, i) => expect(html).toContain(`id="trace-${i}"`));
  });

  it('writes dates as ISO and times on a 24-hour clock, in UTC', () => {
    const html = renderHtmlReport({ title: 'T', runs: [runs[0]!] });
    expect(html).toMatch(/<p class="span">\d{4}-\d\d-\d\d \d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(html.replace(/<script[\s\S]*?<\/script>/g, '')).not.toMatch(/\b(AM|PM)\b/);
    // The page script labels ticks the same way (uPlot's default would be US-style, 12-hour).
    expect(html).toContain('toISOString().slice(0, 10)');
  });
});
