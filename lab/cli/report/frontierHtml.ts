/**
 * The frontier report: per trace and fleet size, instance-hours against SLO-violation minutes with
 * each policy's settings joined as a line and the oracle as a point (an inline SVG, drawn here),
 * the verdict, and one timeline panel per policy (uPlot, drawn by the page script when opened).
 */
import type { FrontierChart } from '../../bench/frontierRun.js';
import type { FrontierRecord } from '../../bench/frontierRecords.js';
import {
  COMPARED_POLICIES,
  type FrontierVerdict,
  frontierVerdicts,
  beaten,
} from '../../bench/frontierVerdict.js';
import type { TraceChart } from './chartData.js';
import { escapeHtml, policyColors, reportPage } from './html.js';

export interface FrontierReportInput {
  title: string;
  subtitle?: string;
  notes?: readonly string[];
  records: readonly FrontierRecord[];
  charts: readonly FrontierChart[];
}

const POLICY_ORDER = ['aws-target-tracking', 'aws-combined', 'k8s-hpa', 'headroom', 'oracle'];
const W = 860;
const H = 380;
// The legend sits in the right margin, clear of the points.
const M = { left: 64, right: 190, top: 14, bottom: 44 };

/** SLO minutes on a log scale that keeps 0: y = log10(1 + minutes). */
const symlog = (minutes: number) => Math.log10(1 + minutes);
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

export function frontierSvg(records: readonly FrontierRecord[], colors: Record<string, string>): string {
  if (records.length === 0) return '<p>No points.</p>';
  const hours = records.map((r) => r.instanceHours);
  const lo = Math.min(...hours);
  const hi = Math.max(...hours);
  const pad = Math.max((hi - lo) * 0.05, hi * 0.01, 1e-6);
  const [x0, x1] = [lo - pad, hi + pad];
  const yMax = Math.max(1, ...records.map((r) => symlog(r.sloViolationMinutes))) * 1.05;
  const px = (h: number) => M.left + ((h - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (s: number) => H - M.bottom - (symlog(s) / yMax) * (H - M.top - M.bottom);
  const parts: string[] = [];
  // Axes: decades of SLO minutes, five ticks of instance-hours.
  for (const s of [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000]) {
    if (symlog(s) > yMax) break;
    // 0 and 1 sit too close to label both once the axis spans a few decades.
    if (s === 1 && yMax > 2.5) continue;
    const y = py(s).toFixed(1);
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${s.toLocaleString('en-US')}</text>`,
    );
  }
  for (let k = 0; k <= 4; k++) {
    const h = x0 + ((x1 - x0) * k) / 4;
    const x = px(h).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f3f3f3"/>`,
      `<text x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(h)}</text>`,
    );
  }
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" class="axis">instance-hours</text>`,
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis">SLO-violation minutes (log)</text>`,
  );
  const policies = [...new Set(records.map((r) => r.policy))].sort(
    (a, b) => POLICY_ORDER.indexOf(a) - POLICY_ORDER.indexOf(b),
  );
  for (const policy of policies) {
    const points = records.filter((r) => r.policy === policy);
    const color = colors[policy] ?? '#333';
    if (points.length > 1) {
      const path = points.map(
        (r) => `${px(r.instanceHours).toFixed(1)},${py(r.sloViolationMinutes).toFixed(1)}`,
      );
      parts.push(
        `<polyline points="${path.join(' ')}" fill="none" stroke="${color}" stroke-width="${policy === 'headroom' ? 2.5 : 1.5}"/>`,
      );
    }
    for (const r of points) {
      const x = px(r.instanceHours).toFixed(1);
      const y = py(r.sloViolationMinutes).toFixed(1);
      const tip = `<title>${escapeHtml(`${r.policy} ${r.setting}${r.default ? ' (default)' : ''}: ${r.sloViolationMinutes} SLO min, ${r.instanceHours} inst-h, $${r.costUsd}, ${r.flaps} flaps`)}</title>`;
      if (policy === 'oracle') {
        parts.push(
          `<rect x="${Number(x) - 5}" y="${Number(y) - 5}" width="10" height="10" transform="rotate(45 ${x} ${y})" fill="${color}">${tip}</rect>`,
        );
      } else {
        parts.push(
          `<circle cx="${x}" cy="${y}" r="${r.default ? 6 : 3.5}" fill="${r.default ? '#fff' : color}" stroke="${color}" stroke-width="2">${tip}</circle>`,
        );
      }
    }
  }
  const legend = policies
    .map((p, i) => {
      const x = W - M.right + 16;
      const y = M.top + 6 + i * 18;
      return `<rect x="${x}" y="${y}" width="12" height="4" fill="${colors[p]}"/><text x="${x + 16}" y="${y + 4}" dominant-baseline="middle">${escapeHtml(p)}</text>`;
    })
    .join('');
  return `<svg class="frontier" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="instance-hours against SLO-violation minutes">${parts.join('')}${legend}</svg>`;
}

function verdictText(v: FrontierVerdict): string {
  const misses = v.unbeaten.map((r) => `${r.policy} ${r.setting}`);
  const listed =
    misses.length > 4 ? `${misses.slice(0, 4).join(', ')} and ${misses.length - 4} more` : misses.join(', ');
  return (
    `Headroom beats ${v.beaten} of ${v.compared} baseline points` +
    (misses.length ? ` (not beaten: ${listed}; the numbers are under "Every point")` : '') +
    `. Default point: ${Number.isFinite(v.defaultOverOracle) ? v.defaultOverOracle.toFixed(3) : '–'} × the oracle's instance-hours.`
  );
}

function pointsTable(group: readonly FrontierRecord[]): string {
  const headroom = group.filter((r) => r.policy === 'headroom');
  const rows = group.map((r) => {
    const compared = (COMPARED_POLICIES as readonly string[]).includes(r.policy);
    const mark = compared ? (beaten(headroom, r) ? 'beaten' : 'not beaten') : r.default ? 'default' : '';
    return `<tr${r.policy === 'headroom' ? ' class="own"' : ''}><td class="left">${escapeHtml(r.policy)}</td><td class="left">${escapeHtml(r.setting)}</td><td class="right">${r.sloViolationMinutes}</td><td class="right">${r.instanceHours.toFixed(1)}</td><td class="right">${r.costUsd.toFixed(2)}</td><td class="right">${r.scalingActions}</td><td class="right">${r.flaps}</td><td class="left">${mark}</td></tr>`;
  });
  return `<details><summary>Every point</summary><table class="summary"><thead><tr><th class="left">policy</th><th class="left">setting</th><th class="right">SLO min</th><th class="right">inst-h</th><th class="right">cost $</th><th class="right">actions</th><th class="right">flaps</th><th class="left">verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

export function renderFrontierReport(input: FrontierReportInput): string {
  const colors = policyColors([
    'headroom',
    'oracle',
    'aws-combined',
    'aws-target-tracking',
    'k8s-hpa',
    ...input.records.map((r) => r.policy),
  ]);
  const panels: TraceChart[] = [];
  const sections = frontierVerdicts(input.records).map((v) => {
    const group = input.records.filter(
      (r) => r.trace === v.trace && r.peakInstances === v.peakInstances && r.profile === v.profile,
    );
    const chart = input.charts.find((c) => c.trace === v.trace && c.peakInstances === v.peakInstances);
    const timeline = (chart?.runs ?? []).map(({ record, chart: run }) => {
      const index = panels.length;
      panels.push({
        trace: v.trace,
        x: chart!.x,
        load: chart!.load,
        demand: chart!.demand,
        // The frontier's panels draw capacity and marks, not p99 and CPU: not embedded.
        policies: [{ ...run, p99: [], cpu: [] }],
        minutes: 0,
      });
      return `<section id="trace-${index}" class="panel" data-height="200"><h3>${escapeHtml(`${record.policy} ${record.setting}`)}: ${record.sloViolationMinutes} SLO min, ${record.instanceHours.toFixed(1)} inst-h, ${record.flaps} flaps</h3><div class="chart"></div><div class="strip"></div></section>`;
    });
    return `<article>
<h2>${escapeHtml(v.trace)} · peak ${v.peakInstances} instances <small>(${escapeHtml(v.profile)})</small></h2>
<p class="verdict ${v.allBeaten && v.withinOracle ? 'pass' : 'miss'}">${escapeHtml(verdictText(v))}</p>
${frontierSvg(group, colors)}
${pointsTable(group)}
${timeline.length ? `<details><summary>Timelines, one panel per policy (load, demand d(t), instances in service; SLO-violation marks)</summary>${timeline.join('\n')}</details>` : ''}
</article>`;
  });
  return reportPage({
    title: input.title,
    ...(input.subtitle ? { subtitle: input.subtitle } : {}),
    notes: [
      ...(input.notes ?? []),
      "Each line joins one policy's settings; the hollow blue ring is Headroom's default; the diamond is the oracle. Hover a point for its setting and numbers.",
    ],
    body: sections.join('\n') || '<p>No runs to show.</p>',
    css: FRONTIER_CSS,
    data: { traces: panels, colors },
  });
}

const FRONTIER_CSS = `
article { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 14px 16px; margin: 16px 0; }
article h2 small { color: #777; font-weight: 400; }
svg.frontier { font-size: 11px; fill: #444; max-width: 100%; height: auto; }
svg.frontier .axis { font-size: 12px; fill: #222; }
p.verdict { font-size: 13px; margin: 4px 0 8px; }
p.verdict.pass { color: #1a7f37; } p.verdict.miss { color: #b42318; }
section.panel { border: none; padding: 6px 0; margin: 4px 0; }
section.panel h3 { font-size: 13px; font-weight: 600; margin: 6px 0 2px; }
`;
