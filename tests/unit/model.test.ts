import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLO, MODES } from '@headroom/core';

describe('model defaults', () => {
  it('advise is the first (default) mode and the default SLO is 500 ms p99', () => {
    expect(MODES[0]).toBe('advise');
    expect(DEFAULT_SLO.p99LatencyMs).toBe(500);
  });
});
