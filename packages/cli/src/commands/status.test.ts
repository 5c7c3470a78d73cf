import { describe, expect, it } from 'vitest'
import { metricSums, statusText } from './status'

describe('metricSums', () => {
  it('sums each metric over its labels, leaves buckets out, and counts one declared with no sample as 0', () => {
    const text = [
      '# HELP touchpoint_events_accepted_total Events accepted.',
      '# TYPE touchpoint_events_accepted_total counter',
      'touchpoint_events_accepted_total{project="dev"} 3',
      'touchpoint_events_accepted_total{project="shop",route="/v1/batch"} 4',
      '# TYPE touchpoint_rate_limited_total counter',
      '# TYPE touchpoint_load_latency_seconds histogram',
      'touchpoint_load_latency_seconds_bucket{le="0.1"} 2',
      'touchpoint_load_latency_seconds_bucket{le="+Inf"} 2',
      'touchpoint_load_latency_seconds_sum 0.05',
      'touchpoint_load_latency_seconds_count 2',
      'touchpoint_spool_queued_bytes 2048',
    ].join('\n')
    expect(metricSums(text)).toEqual({
      touchpoint_events_accepted_total: 7,
      touchpoint_rate_limited_total: 0,
      touchpoint_load_latency_seconds_sum: 0.05,
      touchpoint_load_latency_seconds_count: 2,
      touchpoint_spool_queued_bytes: 2048,
    })
  })
})

describe('statusText', () => {
  const base = { url: 'http://collector:8080', answered: true, ready: true }

  it("gives a Kafka collector's figures, and why it is degraded", () => {
    expect(
      statusText({
        ...base,
        status: 'degraded',
        reason: 'Kafka unreachable at start',
        metrics: {
          touchpoint_events_accepted_total: 1200,
          touchpoint_events_rejected_total: 1,
          touchpoint_rate_limited_total: 0,
          touchpoint_kafka_degraded: 1,
          touchpoint_kafka_produced_total: 0,
          touchpoint_spool_queued_bytes: 3 * 1024 * 1024,
        },
      }),
    ).toBe(
      [
        'http://collector:8080: ready, degraded',
        '  Kafka unreachable at start',
        '  since it started: 1200 events accepted, 1 call rejected, 0 requests rate-limited',
        '  Kafka: 0 records produced, 3.0 MiB spooled while it was away',
        '',
      ].join('\n'),
    )
  })

  it("gives an ingester's figures", () => {
    expect(
      statusText({
        ...base,
        url: 'http://ingester:8081',
        status: 'ok',
        storage: 'reachable',
        metrics: {
          touchpoint_ingester_rows_loaded_total: 5000,
          touchpoint_ingester_duplicates_total: 1,
          touchpoint_ingester_dead_lettered_total: 0,
          touchpoint_ingester_consumer_lag_total: 12,
          touchpoint_ingester_consumer_restarts_total: 1,
          touchpoint_ingester_messages_expired_total: 0,
        },
      }),
    ).toBe(
      [
        'http://ingester:8081: ready, ok; storage reachable',
        '  since it started: 5000 rows loaded, 1 duplicate dropped, 0 messages dead-lettered',
        '  Kafka: 12 messages waiting, 1 consumer restart, 0 messages expired unread',
        '',
      ].join('\n'),
    )
  })
})
