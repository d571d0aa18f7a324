/**
 * Prints plain closing lines that any CI reads, after Jest's own summary: "tests: N passed, N
 * failed", and, when the reliability suite ran, its line ("reliability: faults injected N (after
 * the write M), ..."), which the suite leaves in the file this reporter names for it.
 */
class SummaryReporter {
  async onRunStart() {
    const { rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // Set before the workers start, so they inherit it.
    this.reliabilityFile = join(tmpdir(), `headroom-reliability-${process.pid}.txt`);
    process.env.HEADROOM_RELIABILITY_SUMMARY = this.reliabilityFile;
    rmSync(this.reliabilityFile, { force: true });
  }

  async onRunComplete(_contexts, results) {
    const { existsSync, readFileSync, rmSync } = await import('node:fs');
    const skipped = results.numPendingTests + results.numTodoTests;
    const suffix = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${suffix}\n`,
    );
    if (this.reliabilityFile && existsSync(this.reliabilityFile)) {
      process.stdout.write(`${readFileSync(this.reliabilityFile, 'utf8').trim()}\n`);
      rmSync(this.reliabilityFile, { force: true });
    }
  }
}
module.exports = SummaryReporter;
