/**
 * The reliability suite: faults through the ports and the AWS adapters, concurrent evaluations,
 * bad input, and a 90-day soak. One file, so the suite prints one summary line at the end.
 */
import { writeFileSync } from 'node:fs';
import { afterAll } from '@jest/globals';
import { summaryLine } from './tally.js';
import './faults.suite.js';
import './awsFaults.suite.js';
import './concurrency.suite.js';
import './fuzz.suite.js';
import './soak.suite.js';

afterAll(() => {
  // Straight to stdout: Jest's console would wrap the line in a stack trace.
  process.stdout.write(`\n${summaryLine()}\n`);
  // And for the summary reporter, which prints it again after Jest's own summary.
  const file = process.env.HEADROOM_RELIABILITY_SUMMARY;
  if (file) writeFileSync(file, summaryLine());
});
