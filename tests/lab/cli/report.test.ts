import { describe, expect, it } from '@jest/globals';
import { renderHtmlReport, type ReportData } from '@headroom/lab/cli/report/html';
import { syntheticRun } from './fixtures.js';

function embeddedData(html: string): ReportData {
  const match = /<script id="report-data" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('report has no embedded chart data');
  return JSON.parse(match[1]) as ReportData;
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
    expect(data.traces.map((t) => t.trace)).toEqual(['trace-a', 'trace-b']);
    const a = data.traces[0]!;
    expect(a.policies.map((p) => p.policy)).toEqual(['headroom', 'oracle']);
    expect(a.x).toHaveLength(120);
    expect(a.load[0]).toBe(runs[0]!.timeline[0]!.load);
    expect(a.demand).toEqual(runs[0]!.timeline.map((p) => p.demand));
    expect(a.policies[1]!.inService).toEqual(runs[2]!.timeline.map((p) => p.inService));
    const violated = runs[2]!.timeline.flatMap((p, i) => (p.sloViolated ? [i] : []));
    expect(violated.length).toBeGreaterThan(0);
    expect(a.policies[1]!.violationSlots).toEqual(violated);
    expect(a.policies[0]!.violationSlots).toEqual([]);
    expect(data.colors).toMatchObject({ headroom: '#1f77b4', oracle: '#2ca02c' });
  });

  it('lines up a run that covers only part of the trace by time, leaving the rest as gaps', () => {
    const full = syntheticRun('t', 'headroom', 120, 0);
    const late = syntheticRun('t', 'oracle', 120, 0);
    late.timeline = late.timeline.slice(30, 90);
    const chart = embeddedData(renderHtmlReport({ title: 'T', runs: [full, late] })).traces[0]!;
    const inService = chart.policies[1]!.inService;
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
    const trace = embeddedData(html).traces[0]!;
    expect(trace.x).toHaveLength(2000);
    for (const p of trace.policies) expect(p.inService).toHaveLength(2000);
    expect(trace.minutes).toBe(43_200);
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
    expect(data.traces[0]!.policies[0]!.eventSlots.remediation).toEqual([10]);
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
