import { metricValue } from '../test/helpers/load'

/** What the loader did over a run, from the service's /metrics (counters since it started). */
export interface LoaderFigure {
  /** rows inserted per second of insert time: the loader's own speed, apart from waiting for rows */
  rowsPerSecond: number
  rows: number
  batches: number
  meanBatchRows: number
  insertSeconds: number
}

const NAMES = {
  collector: {
    rows: 'touchpoint_events_loaded_total',
    insert: 'touchpoint_load_latency_seconds_sum',
    batchSum: 'touchpoint_load_batch_records_sum',
    batchCount: 'touchpoint_load_batch_records_count',
  },
  ingester: {
    rows: 'touchpoint_ingester_rows_loaded_total{table="events"}',
    insert: 'touchpoint_ingester_insert_latency_seconds_sum',
    batchSum: 'touchpoint_ingester_batch_records_sum',
    batchCount: 'touchpoint_ingester_batch_records_count',
  },
} as const

export async function loaderFigure(url: string, service: keyof typeof NAMES): Promise<LoaderFigure> {
  const n = NAMES[service]
  const [rows, insert, batchSum, batches] = await Promise.all(
    [n.rows, n.insert, n.batchSum, n.batchCount].map((name) => metricValue(url, name)),
  )
  return {
    rowsPerSecond: Math.round(rows! / Math.max(insert!, 1e-3)),
    rows: rows!,
    batches: batches!,
    meanBatchRows: Math.round(batchSum! / Math.max(batches!, 1)),
    insertSeconds: Math.round(insert! * 10) / 10,
  }
}
