/** What every forecasting model gives back, so intervals and accuracy are computed once. */

export type ForecastModelName = 'seasonal-profile' | 'holt-winters';
export type Season = 'daily' | 'weekly';

export interface ModelFit {
  model: ForecastModelName;
  seasons: Season[];
  /** In-sample forecasts made one step ahead of each interval (NaN where the model could not tell yet). */
  fitted: number[];
  /** Point forecast for the intervals after the history. */
  point: number[];
}
