import { randomUUID } from 'node:crypto'
import { type ClickHouse, TABLES } from '@touchpoint/clickhouse'

export interface SyntheticOptions {
  project: string
  /** Number of events; 20 per person, in 4 sessions of 5. */
  events: number
  /** Start of the period the events fall in. */
  from: Date
  days: number
  /** Rows per INSERT … SELECT (each a separate insert with its own deduplication token). */
  chunk?: number
}

const CHANNELS = `['Direct', 'Organic Search', 'Paid Search', 'Email', 'Paid Social', 'Referral', 'Organic Social']`

/**
 * Synthetic shop traffic generated inside ClickHouse (INSERT … SELECT from numbers()), so ten million events take
 * seconds, not minutes. Deterministic from the row number: person p owns events 20p … 20p+19, a few minutes apart,
 * starting at a hashed offset in the period; each block of five is a session with one channel; 30% of people
 * identify from their 11th event on (and get an identities row); event names are drawn so that funnels narrow:
 * Page Viewed (landing, /pricing, products), Signup Started, Signed Up, Checkout Started, Order Completed (with
 * revenue) and human email clicks.
 */
export async function generateSynthetic(ch: ClickHouse, options: SyntheticOptions): Promise<void> {
  const chunk = options.chunk ?? 1_000_000
  const spanMs = options.days * 86_400_000
  const params = { project: options.project, fromMs: options.from.getTime(), spanMs }
  for (let offset = 0; offset < options.events; offset += chunk) {
    const count = Math.min(chunk, options.events - offset)
    await ch.client.command({
      query: `INSERT INTO ${TABLES.events} (event_id, project_id, type, event, source, anonymous_id, user_id,
          session_id, timestamp, received_at, path, utm_source, utm_medium, utm_campaign, channel, revenue, currency,
          properties, browser, os, device_type, is_bot)
        SELECT generateUUIDv4(n), {project:String}, if(ev = 'Page Viewed', 'page', 'track'), ev, 'browser',
          concat('a', toString(person)), if(identified AND k >= 10, concat('u', toString(person)), ''),
          concat('s', toString(person), '-', toString(intDiv(k, 5))), ts, ts,
          if(ev = 'Page Viewed', multiIf(k % 5 = 0, '/', h % 3 = 0, '/pricing', concat('/product/', toString(h % 50))), ''),
          if(ch IN ('Email', 'Paid Search', 'Paid Social'), lower(replaceAll(ch, ' ', '-')), ''),
          multiIf(ch = 'Email', 'email', ch IN ('Paid Search', 'Paid Social'), 'cpc', ''),
          if(ch IN ('Email', 'Paid Search', 'Paid Social'), concat('campaign-', toString(sh % 12)), ''),
          ch,
          if(ev = 'Order Completed', toDecimal64((h % 20000) / 100 + 5, 4), NULL),
          if(ev = 'Order Completed', 'EUR', ''),
          if(ev = 'Email Clicked', '{"scanner":false}', '{}'),
          ['Chrome', 'Safari', 'Firefox', 'Edge'][ph % 4 + 1], ['Windows', 'macOS', 'iOS', 'Android'][ph % 4 + 1],
          if(ph % 4 >= 2, 'mobile', 'desktop'), 0
        FROM (
          SELECT number + ${offset} AS n, intDiv(n, 20) AS person, n % 20 AS k, cityHash64(n, 1) AS h,
            cityHash64(person) AS ph, cityHash64(person, intDiv(k, 5)) AS sh,
            ph % 100 < 30 AS identified,
            ${CHANNELS}[sh % 7 + 1] AS ch,
            fromUnixTimestamp64Milli(toInt64({fromMs:Int64} + ph % {spanMs:UInt64} + k * 150000 + h % 60000), 'UTC') AS ts,
            multiIf(k % 5 = 0, 'Page Viewed', h % 100 < 40, 'Page Viewed', h % 100 < 58, 'Signup Started',
              h % 100 < 70, 'Signed Up', h % 100 < 80, 'Checkout Started', h % 100 < 86, 'Order Completed',
              h % 100 < 88, 'Email Clicked', 'Page Viewed') AS ev
          FROM numbers(${count})
        )`,
      query_params: params,
      clickhouse_settings: { insert_deduplication_token: randomUUID() },
    })
  }
  const persons = Math.ceil(options.events / 20)
  await ch.client.command({
    query: `INSERT INTO ${TABLES.identities} (project_id, anonymous_id, user_id, linked_at, link_source)
      SELECT {project:String}, concat('a', toString(number)), concat('u', toString(number)),
        fromUnixTimestamp64Milli(toInt64({fromMs:Int64} + cityHash64(number) % {spanMs:UInt64} + 1500000), 'UTC'), 'identify'
      FROM numbers(${persons}) WHERE cityHash64(number) % 100 < 30`,
    query_params: params,
    clickhouse_settings: { insert_deduplication_token: randomUUID() },
  })
}
