import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BENCH_TRACES } from '@headroom/lab/bench/benchSetup';
import { checkTracesPresent } from '@headroom/lab/bench/traceSources';

describe('checkTracesPresent', () => {
  it('names every missing trace, its public origin and --traces, before any replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-traces-'));
    const first = BENCH_TRACES[0]!;
    mkdirSync(dirname(join(dir, first.file)), { recursive: true });
    writeFileSync(join(dir, first.file), 'timestamp,value\n');
    let message = '';
    try {
      checkTracesPresent(dir, BENCH_TRACES);
    } catch (error) {
      message = (error as Error).message;
      expect((error as Error).name).toBe('TraceError');
    }
    expect(message).toContain(
      `${BENCH_TRACES.length - 1} of ${BENCH_TRACES.length} benchmark traces are missing`,
    );
    expect(message).not.toContain(first.file);
    expect(message).toContain('nab/realKnownCause/nyc_taxi.csv  from https://github.com/numenta/NAB');
    expect(message).toContain('github.com/alejandrofdez-us/DataCenter-Traces-Datasets');
    expect(message).toContain('--traces DIR');
  });

  it('returns quietly when every trace is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'all-traces-'));
    for (const t of BENCH_TRACES) {
      mkdirSync(dirname(join(dir, t.file)), { recursive: true });
      writeFileSync(join(dir, t.file), 'x\n');
    }
    expect(() => checkTracesPresent(dir, BENCH_TRACES)).not.toThrow();
  });
});
