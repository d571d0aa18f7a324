/**
 * The forecasts in the state table, one item per service: service#<id> / forecast. Apart from
 * DynamoStateStore so that the forecast function's code makes only GetItem and PutItem calls
 * (the IAM check derives grants from the SDK commands a bundle keeps).
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceForecast } from '../forecast/serviceForecast.js';
import type { ServiceState } from '../ports/index.js';
import { readServiceState } from './serviceStateItem.js';
import {
  decodeForecast,
  DYNAMO_ITEM_LIMIT_BYTES,
  encodeForecast,
  FORECAST_ENCODING,
  FORECAST_ENCODING_V1,
} from './forecastItem.js';

export const FORECAST_SORT_KEY = 'forecast';

export interface DynamoForecastOptions {
  tableName: string;
}

const keyOf = (serviceId: string) => ({ pk: { S: `service#${serviceId}` }, sk: { S: FORECAST_SORT_KEY } });

export class DynamoForecastStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoForecastOptions,
  ) {}

  /** Eventually consistent: the item changes once an hour, and such a read costs half. */
  async getForecast(serviceId: string): Promise<ServiceForecast | undefined> {
    const response = await this.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: keyOf(serviceId) }),
    );
    const item = response.Item;
    if (item === undefined) return undefined;
    const name = `service#${serviceId}/${FORECAST_SORT_KEY}`;
    const encoding = item.encoding?.S;
    if (encoding !== FORECAST_ENCODING && encoding !== FORECAST_ENCODING_V1)
      throw new Error(
        `state item ${name}: encoding is ${JSON.stringify(encoding)}, not ${FORECAST_ENCODING} (or ${FORECAST_ENCODING_V1})`,
      );
    if (item.body?.B === undefined) throw new Error(`state item ${name}: no binary body`);
    const forecast = decodeForecast(name, item.body.B, encoding);
    if (forecast.serviceId !== serviceId)
      throw new Error(`state item ${name}: holds the forecast of "${forecast.serviceId}"`);
    return forecast;
  }

  /**
   * The service's state, eventually consistent: the forecast plans its rise margin over the launch
   * time evaluate learned (ServiceState.launches), which changes a launch at a time.
   */
  getServiceState(serviceId: string): Promise<ServiceState | undefined> {
    return readServiceState(this.client, this.options.tableName, serviceId, false);
  }

  /** Last writer wins: one forecast run an hour writes it. */
  async putForecast(forecast: ServiceForecast): Promise<void> {
    const body = encodeForecast(forecast);
    const item = {
      ...keyOf(forecast.serviceId),
      // Readable in the console without decoding the body.
      at: { N: String(forecast.at) },
      use: { S: forecast.verdict.use },
      encoding: { S: FORECAST_ENCODING },
      body: { B: body },
    };
    const size = forecastItemSize(item);
    if (size > DYNAMO_ITEM_LIMIT_BYTES)
      throw new Error(
        `forecast of "${forecast.serviceId}" is ${size} bytes stored, over DynamoDB's ${DYNAMO_ITEM_LIMIT_BYTES}-byte item limit`,
      );
    await this.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item }));
  }
}

/**
 * Bytes DynamoDB counts for the item: each attribute's name plus its value (UTF-8 strings, binary
 * length, numbers about one byte per two digits plus one). Exact enough to stay clear of the limit.
 */
export function forecastItemSize(
  item: Record<string, { S: string } | { N: string } | { B: Uint8Array }>,
): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if ('S' in value) size += Buffer.byteLength(value.S);
    else if ('N' in value) size += Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 2;
    else size += value.B.byteLength;
  }
  return size;
}
