/**
 * `npm run bench:scale`: the scale benchmark at 100, 1,000 and 10,000 services, each size in a
 * process of its own (lab/scale/size.ts), written to bench-results/scale.json and printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScaleRecord } from './scaleRecord.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SIZES = (process.env.SCALE_SIZES ?? '100,1000,10000').split(',').map(Number);
/** 5 first-run ticks and 10 steady ones, from which a month of ticks is counted. */
const TICKS = 15;

const records: ScaleRecord[] = [];
for (const services of SIZES) {
  process.stderr.write(`bench:scale: ${services} services…\n`);
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(here, 'size.ts'), String(services), String(TICKS)],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = out.trim().split('\n').at(-1) ?? '';
  records.push(JSON.parse(line) as ScaleRecord);
}
const file = join(root, 'bench-results', 'scale.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);

const columns: [string, (r: ScaleRecord) => string][] = [
  ['services', (r) => String(r.services)],
  ['evaluate round s', (r) => r.evaluateRoundSeconds.toFixed(1)],
  ['forecast run s', (r) => r.forecastRunSeconds.toFixed(0)],
  ['max quota %', (r) => `${r.maxQuotaUsePct.toFixed(1)} (${r.maxQuotaApi})`],
  ['peak/size MB', (r) => `${r.peakMemoryMb.toFixed(0)}/${r.memorySizeMb} ${r.busiestFunction}`],
  ['GB-s/month', (r) => String(r.lambdaGbSecondsPerMonth)],
  ['bill $/month', (r) => r.billUsdPerMonth.toFixed(2)],
  ['$/service-month', (r) => r.billUsdPerServiceMonth.toFixed(4)],
];
const rows = [columns.map(([name]) => name), ...records.map((r) => columns.map(([, cell]) => cell(r)))];
const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
for (const row of rows)
  process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
process.stdout.write(`written to ${file}\n`);
