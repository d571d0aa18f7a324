/**
 * Forecasts in the state table against dynalite: they come back as stored (the 48-hour series to 4
 * significant digits, the scores to 3, everything else to 6), the item of a full two-week history
 * stays a few kilobytes, an item the previous version wrote is still read, and what does not fit
 * DynamoDB's 400 KB item limit is refused naming the service.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoForecastStore,
  DynamoStateStore,
  DYNAMO_ITEM_LIMIT_BYTES,
  FORECAST_ENCODING,
  FORECAST_ENCODING_V1,
  type ServiceForecast,
} from '@headroom/core';
import { refitForecast } from '@headroom/core/forecast/serviceForecast.js';
import { DEFAULT_FALLBACK_RULES } from '@headroom/core/forecast/accuracy.js';
import { STATE_TABLE, startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { T0, MINUTE } from './fixtures.js';

const DAY = 86_400_000;
let dynamo: LocalDynamo;
const table = {
  get client() {
    return dynamo.client;
  },
  tableName: STATE_TABLE,
};

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.close());

const store = () => new DynamoForecastStore(table.client, { tableName: table.tableName });

/** Two weeks of a daily cycle at one-minute samples, refitted, with a full history of hourly scores. */
function fullForecast(serviceId: string): ServiceForecast {
  const history = [];
  for (let at = T0 - 14 * DAY; at < T0; at += MINUTE) {
    history.push({ at, requestsPerMinute: 1000 + 600 * Math.sin((2 * Math.PI * at) / DAY), cpuPct: 50 });
  }
  const refit = refitForecast(serviceId, history, T0, undefined);
  const evaluations = Array.from({ length: DEFAULT_FALLBACK_RULES.keepEvaluations }, (_, i) => ({
    madeAt: T0 - (i + 1) * 3_600_000,
    mape: 3.14159265358979 + i / 7,
    // A flat stretch has no naive error: its MASE is Infinity, which JSON cannot hold.
    mase: i === 0 ? Number.POSITIVE_INFINITY : 0.812345678901 + i / 1000,
    mae: 12.3456789012,
    upperCoverage: 95.8333333333,
    points: 12,
  }));
  return {
    ...refit,
    accuracy: { evaluations },
    ratePerInstance: 1234.56789012345,
    riseMargin: 321.987654321,
    // What the capacity learning keeps: 40 load bins of a few weeks, in two fleet-size bands (the
    // band must come back, or every bin would count for every fleet size).
    learned: {
      bins: Array.from({ length: 40 }, (_, i) => ({
        x: 1.1 ** (i + 20),
        fleet: i < 20 ? 3 : 12,
        minutes: 100 + 37 * i,
        meanLogP99: 5.123456789 + i / 97,
      })),
      learnedUntil: 1_764_000_000_000,
    },
  };
}

/** Stored to 4 significant digits: the 48-hour series (forecastItem.ts). */
const FOUR_DIGITS = /^forecast\.forecast\.(point|lower|upper)\.\d+$/;
/** Stored to 3 significant digits: the hourly scores. */
const THREE_DIGITS = /^forecast\.accuracy\.evaluations\.\d+\.(mape|mase|mae|upperCoverage)$/;

/**
 * Every number of `actual` equals `expected` to 6 significant digits (the series to 4, the scores
 * to 3); integers exactly.
 */
function expectSameAsStored(actual: unknown, expected: unknown, path = 'forecast'): void {
  if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    const a = actual as number;
    const tolerance = THREE_DIGITS.test(path) ? 5e-3 : FOUR_DIGITS.test(path) ? 5e-4 : 5e-6;
    if (Number.isInteger(expected) || !Number.isFinite(expected)) expect([path, a]).toEqual([path, expected]);
    else expect([path, Math.abs(a - expected) / Math.abs(expected) <= tolerance]).toEqual([path, true]);
  } else if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectSameAsStored((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect([path, actual]).toEqual([path, expected]);
  }
}

describe('DynamoForecastStore', () => {
  it('has no forecast for a service never forecast', async () => {
    expect(await store().getForecast('never')).toBeUndefined();
  });

  it('returns what it stored, to 6 significant digits (series to 4, scores to 3), Infinity included', async () => {
    const forecast = fullForecast('web');
    expect(forecast.forecast?.point).toHaveLength(576);
    await store().putForecast(forecast);
    const back = await store().getForecast('web');
    expectSameAsStored(back, forecast);
    expect(back?.accuracy.evaluations[0]?.mase).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps the bounds as the band that draws them: a forecast whose bounds are not the band's keeps its own", async () => {
    const forecast = fullForecast('banded');
    expect(forecast.forecast?.band).toBeDefined();
    await store().putForecast(forecast);
    const back = await store().getForecast('banded');
    expectSameAsStored(back, forecast);
    const storedKeys = async (name: string) => {
      const { gunzipSync } = await import('node:zlib');
      const { Item } = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: `service#${name}` }, sk: { S: 'forecast' } },
        }),
      );
      return Object.keys(JSON.parse(gunzipSync(Item!.body!.B!).toString()).forecast).sort();
    };
    expect(await storedKeys('banded')).not.toContain('upper');
    expect(await storedKeys('banded')).toContain('band');
    const edited = {
      ...forecast,
      serviceId: 'edited',
      forecast: { ...forecast.forecast!, upper: forecast.forecast!.point.map((p) => p * 3) },
    };
    await store().putForecast(edited);
    expectSameAsStored(await store().getForecast('edited'), edited);
    expect(await storedKeys('edited')).toContain('upper');
  });

  it('keeps a smooth two-week forecast under 4 KB: 1 read unit, half when eventually consistent', async () => {
    await store().putForecast(fullForecast('sized'));
    const read = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'service#sized' }, sk: { S: 'forecast' } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(read.ConsumedCapacity?.CapacityUnits).toBe(0.5);
    expect(read.Item?.body?.B?.byteLength).toBeLessThan(4 * 1024);
    expect(read.Item?.encoding?.S).toBe(FORECAST_ENCODING);
    expect(read.Item?.use?.S).toBe('forecast');
  });

  it('stores noise that does not compress at one-minute steps, still far under the item limit', async () => {
    const rng = xoroshiro128plus(42);
    const noise = () => Array.from({ length: 2 * 24 * 60 }, () => 1e4 * uniformFloat64(rng));
    const base = fullForecast('noisy');
    const forecast = {
      ...base,
      forecast: { ...base.forecast!, stepMs: MINUTE, point: noise(), lower: noise(), upper: noise() },
    };
    await store().putForecast(forecast);
    expectSameAsStored(await store().getForecast('noisy'), forecast);
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'service#noisy' }, sk: { S: 'forecast' } },
      }),
    );
    expect(Item?.body?.B?.byteLength).toBeLessThan(DYNAMO_ITEM_LIMIT_BYTES / 4);
  });

  it('refuses a forecast over the item limit before calling DynamoDB, naming the service', async () => {
    const base = fullForecast('huge');
    const rng = xoroshiro128plus(7);
    const point = Array.from({ length: 400_000 }, () => uniformFloat64(rng));
    const huge = { ...base, forecast: { ...base.forecast!, point } };
    await expect(store().putForecast(huge)).rejects.toThrow(
      new RegExp(
        `^forecast of "huge" is \\d+ bytes stored, over DynamoDB's ${DYNAMO_ITEM_LIMIT_BYTES}-byte item limit$`,
      ),
    );
    expect(await store().getForecast('huge')).toBeUndefined();
  });

  it('names the item when it was not written by this code', async () => {
    const put = (name: string, item: Record<string, { S: string } | { B: Uint8Array }>) =>
      table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: { pk: { S: `service#${name}` }, sk: { S: 'forecast' }, ...item },
        }),
      );
    await put('plain', { encoding: { S: 'json' }, body: { S: '{}' } });
    await expect(store().getForecast('plain')).rejects.toThrow(
      'state item service#plain/forecast: encoding is "json", not json-gzip/2 (or json-gzip/1)',
    );
    await put('garbled', { encoding: { S: FORECAST_ENCODING }, body: { B: Buffer.from('not gzip') } });
    await expect(store().getForecast('garbled')).rejects.toThrow(
      /^state item service#garbled\/forecast: body is not gzipped JSON/,
    );
    const { gzipSync } = await import('node:zlib');
    const noScores = { madeAtSteps: [], mape: [], mase: [], mae: [], upperCoverage: [], points: [] };
    const wrong = {
      ...fullForecast('shape'),
      learned: undefined,
      accuracy: { columns: noScores },
      verdict: { use: 'maybe', reason: '' },
    };
    await put('shape', { encoding: { S: FORECAST_ENCODING }, body: { B: gzipSync(JSON.stringify(wrong)) } });
    await expect(store().getForecast('shape')).rejects.toThrow(
      /^state item service#shape\/forecast: verdict.use: /,
    );
    const base = fullForecast('unbounded');
    const { lower: _lower, upper: _upper, band: _band, ...bare } = base.forecast!;
    const unbounded = { ...base, forecast: bare, learned: undefined, accuracy: { columns: noScores } };
    await put('unbounded', {
      encoding: { S: FORECAST_ENCODING },
      body: { B: gzipSync(JSON.stringify(unbounded)) },
    });
    await expect(store().getForecast('unbounded')).rejects.toThrow(
      'state item service#unbounded/forecast: forecast.lower: neither bounds nor the band that draws them',
    );
    // Written by hand without the learned curve, which this version stores by column too.
    const uneven = {
      ...fullForecast('uneven'),
      learned: undefined,
      accuracy: { columns: { ...noScores, mase: [1] } },
    };
    await put('uneven', {
      encoding: { S: FORECAST_ENCODING },
      body: { B: gzipSync(JSON.stringify(uneven)) },
    });
    await expect(store().getForecast('uneven')).rejects.toThrow(
      'state item service#uneven/forecast: accuracy.columns.mase: has 1 scores, madeAtSteps 0',
    );
    const other = fullForecast('other');
    await store().putForecast(other);
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'service#other' }, sk: { S: 'forecast' } },
      }),
    );
    await put('copied', { encoding: { S: FORECAST_ENCODING }, body: { B: Item!.body!.B! } });
    await expect(store().getForecast('copied')).rejects.toThrow(
      'state item service#copied/forecast: holds the forecast of "other"',
    );
  });

  it('reads an item the previous version wrote (scores as objects), so an upgrade loses no forecast', async () => {
    const { gzipSync } = await import('node:zlib');
    const forecast = fullForecast('before-upgrade');
    const finite = {
      ...forecast,
      accuracy: { evaluations: forecast.accuracy.evaluations.filter((e) => Number.isFinite(e.mase)) },
    };
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: 'service#before-upgrade' },
          sk: { S: 'forecast' },
          encoding: { S: FORECAST_ENCODING_V1 },
          body: { B: gzipSync(JSON.stringify(finite)) },
        },
      }),
    );
    expect(await store().getForecast('before-upgrade')).toEqual(finite);
  });

  it('is what DynamoStateStore keeps forecasts with, so evaluate reads what forecast wrote', async () => {
    const state = new DynamoStateStore(table.client, { tableName: table.tableName });
    const forecast = fullForecast('shared');
    await state.putForecast(forecast);
    expectSameAsStored(await store().getForecast('shared'), forecast);
    expectSameAsStored(await state.getForecast('shared'), forecast);
  });
});
