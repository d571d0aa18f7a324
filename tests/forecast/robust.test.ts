import { describe, expect, it } from '@jest/globals';
import { kthSmallest } from '@headroom/core/forecast/robust.js';

describe('kthSmallest', () => {
  it('finds what sorting and reading index k finds, with repeats, runs and negatives', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let trial = 0; trial < 2_000; trial++) {
      const count = 1 + Math.floor(random() * 80);
      // Spare room past `count` that must be left alone.
      const values = new Float64Array(count + 3).fill(-999);
      for (let i = 0; i < count; i++) {
        const shape = trial % 4;
        values[i] =
          shape === 0
            ? i
            : shape === 1
              ? count - i
              : shape === 2
                ? Math.floor(random() * 3)
                : (random() - 0.5) * 100;
      }
      const sorted = Float64Array.from(values.subarray(0, count)).sort();
      const k = Math.floor(random() * count);
      expect(kthSmallest(values, count, k)).toBe(sorted[k]);
      expect(Array.from(values.subarray(count))).toEqual([-999, -999, -999]);
    }
  });

  it('refuses a k outside the values', () => {
    const values = Float64Array.of(3, 1, 2);
    expect(() => kthSmallest(values, 3, 3)).toThrow(/k 3 must be in \[0, 3\)/);
    expect(() => kthSmallest(values, 4, 0)).toThrow(/count ≤ 3/);
  });
});
