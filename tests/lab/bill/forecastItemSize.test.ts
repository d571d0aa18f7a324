/**
 * The bill's forecast item size is the code's: a forecast refitted by the real code on two weeks of
 * noisy 5-minute load, with two weeks of hourly scores, encoded as dynamoForecasts.ts stores it,
 * costs the read and write units the bill charges.
 */
import { describe, expect, test } from '@jest/globals';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { DEFAULT_WORKLOAD } from '@headroom/lab/bill/advisorMonthlyBill';
import { readUnits, writeUnits } from '@headroom/lab/bill/dynamoUnits';
import { forecastItemSize, FORECAST_SORT_KEY } from '@headroom/core/aws/dynamoForecasts';
import { encodeForecast, FORECAST_ENCODING } from '@headroom/core/aws/forecastItem';
import { EMPTY_CURVE, learnFrom, type Reading } from '@headroom/core/capacity/learning';
import { DEFAULT_FALLBACK_RULES } from '@headroom/core/forecast/accuracy';
import { refitForecast } from '@headroom/core/forecast/serviceForecast';
import type { ServiceForecast } from '@headroom/core/forecast/serviceForecast';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const DAY = 86_400_000;
const STEP = 5 * 60_000;

/** A daily cycle with ±10 % noise, as the forecast reads it, and scores that vary hour to hour. */
function realisticForecast(): ServiceForecast {
  const rng = xoroshiro128plus(2026);
  const noise = () => uniformFloat64(rng) * 2 - 1;
  const history = [];
  for (let at = T0 - 14 * DAY; at < T0; at += STEP) {
    const load = 1000 + 600 * Math.sin((2 * Math.PI * at) / DAY);
    history.push({ at, requestsPerMinute: load * (1 + 0.1 * noise()), cpuPct: 50 + 5 * noise() });
  }
  const refit = refitForecast('checkout-api', history, T0, undefined);
  const evaluations = Array.from({ length: DEFAULT_FALLBACK_RULES.keepEvaluations }, (_, i) => ({
    madeAt: T0 - (i + 1) * 3_600_000,
    mape: 5 + 3 * noise(),
    mase: 1 + 0.5 * noise(),
    mae: 35 + 25 * noise(),
    upperCoverage: 90 + 10 * noise(),
    points: 12,
  }));
  // The learned capacity curve (capacity/learning.ts): a month of minutes across loads from 5 to
  // 250 requests/s per instance, on fleets of 2 to 20 instances through each day, fills 43 bins of
  // 10 % in each of the 7 fleet-size bands: more than a service whose load per instance stays in a
  // narrower range learns, so the bill's item is an upper bound.
  const readings: Reading[] = [];
  for (let m = 0; m < 30 * 1440; m++) {
    const x = 5 * 1.1 ** (m % 42) * (1 + 0.03 * noise());
    const inService = 2 + Math.round(9 * (1 + Math.sin((2 * Math.PI * m) / 1440)));
    readings.push({
      at: T0 - 30 * DAY + m * 60_000,
      requestsPerMinute: x * 60 * inService,
      p99LatencyMs: (50 + 3000 / (260 - x)) * (1 + 0.2 * noise()),
      inService,
    });
  }
  const learned = learnFrom(EMPTY_CURVE, readings);
  return {
    ...refit,
    accuracy: { evaluations },
    ratePerInstance: 123.456789,
    riseMargin: 187.654321,
    learned,
  };
}

describe('the stored forecast item', () => {
  test('costs the units the bill charges: 6 write units a put, 1 per eventually consistent read', () => {
    const forecast = realisticForecast();
    expect(forecast.forecast?.point).toHaveLength(576);
    const item = {
      pk: { S: `service#${forecast.serviceId}` },
      sk: { S: FORECAST_SORT_KEY },
      at: { N: String(forecast.at) },
      use: { S: forecast.verdict.use },
      encoding: { S: FORECAST_ENCODING },
      body: { B: encodeForecast(forecast) },
    };
    const bytes = forecastItemSize(item);
    // Measured 5,885 bytes with 301 bins of the learned curve by column (the point at 4 significant
    // digits and the bounds as the band that draws them, scores at 3 and by column); the curve's bins
    // as objects made it 7,287 (8 write units). With one fleet-size band it was 4,931, with the
    // bounds as series 7,289, with the scores as objects at 4 digits 10,816 (11), and everything at
    // 6 digits 14,635: ⌈5,885 / 1,024⌉ = 6 write units, ⌈5,885 / 4,096⌉ = 2 read units strongly
    // consistent, 1 eventually. The smooth sine of tests/aws/dynamoForecasts.test.ts with evenly
    // spaced scores compresses far better; real load does not.
    expect(forecast.learned?.bins).toHaveLength(301);
    expect(bytes).toBeGreaterThan(5 * 1024);
    expect(bytes).toBeLessThanOrEqual(DEFAULT_WORKLOAD.forecastItemBytes);
    expect(writeUnits(bytes)).toBe(writeUnits(DEFAULT_WORKLOAD.forecastItemBytes));
    expect(readUnits(bytes, 'eventual')).toBe(readUnits(DEFAULT_WORKLOAD.forecastItemBytes, 'eventual'));
    expect([writeUnits(bytes), readUnits(bytes, 'eventual')]).toEqual([6, 1]);
  });

  test('units round up per started KB (writes) and 4 KB (reads), and a bad size is named', () => {
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(4096, 'strong')).toBe(1);
    expect(readUnits(4097, 'strong')).toBe(2);
    expect(readUnits(4097, 'eventual')).toBe(1);
    expect(readUnits(100, 'eventual')).toBe(0.5);
    expect(() => writeUnits(0)).toThrow('item size must be a number of bytes > 0, got 0');
  });
});
