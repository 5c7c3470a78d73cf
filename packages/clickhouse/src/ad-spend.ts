import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { ClickHouse } from './client'
import { dateTime64Text } from './date-time-text'
import { insertJsonEachRow } from './insert'
import { TABLES } from './tables'

/** A day's spend on one campaign's ads, as stored (migration 9): its tags, its channel, what it cost and brought. */
export interface AdSpendRow {
  /** YYYY-MM-DD, the ad platform's day */
  day: string
  source: string
  medium: string
  campaign: string
  /** the channel a visit with these tags is in (the collector's channelOf) */
  channel: string
  cost: number
  currency: string
  clicks: number
  impressions: number
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
/** YYYY-MM-DD of a day that exists: not 2026-02-30, nor a month 13 (which Date cannot even read) */
const isCalendarDay = (d: string) => {
  const t = Date.parse(`${d}T00:00:00Z`)
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(d)
}
const tag = z.string().max(1024)
/** The day a row of spend is for. */
export const adSpendDay = z
  .string()
  .regex(DAY, 'is a day, YYYY-MM-DD')
  .refine(isCalendarDay, 'is not a day of the calendar')

/** One row of ad spend as sent (HTTP, or a CSV file through the CLI), before its channel is known. */
export const adSpendInput = z.object({
  day: adSpendDay,
  /** the utm_source the ads' links carry (google, facebook, …): what a visit from them has as its source */
  source: tag.min(1, 'is required: the utm_source of the ads'),
  medium: tag.default(''),
  campaign: tag.default(''),
  cost: z.number().finite().min(0).max(1e12),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'is an ISO 4217 code, such as EUR')
    .transform((c) => c.toUpperCase()),
  clicks: z.number().int().min(0).default(0),
  impressions: z.number().int().min(0).default(0),
})
export type AdSpendInput = z.input<typeof adSpendInput>

/** A project's ad spend as POST /api/ad-spend takes it. */
export const adSpendRequest = z.object({
  project: z.string().min(1).max(64),
  rows: z.array(adSpendInput).min(1).max(10_000),
})

/** The key a row replaces another by: a project's day and tags. */
const keyOf = (r: AdSpendRow) => JSON.stringify([r.day, r.source, r.medium, r.campaign])

/**
 * Rows of one request with the same day and tags (an export by ad group, say) as one: costs, clicks and
 * impressions added up. A key sent in two currencies is refused (`currency` in the error), since its cost would
 * mix them.
 */
export function sumAdSpend(rows: readonly AdSpendRow[]): AdSpendRow[] {
  const byKey = new Map<string, AdSpendRow>()
  for (const [index, r] of rows.entries()) {
    const key = keyOf(r)
    const seen = byKey.get(key)
    if (!seen) byKey.set(key, { ...r })
    else if (seen.currency !== r.currency)
      throw new AdSpendCurrencyError(index, `${r.day} ${r.source}/${r.medium}/${r.campaign}`, seen.currency)
    else {
      seen.cost += r.cost
      seen.clicks += r.clicks
      seen.impressions += r.impressions
    }
  }
  return [...byKey.values()]
}

/** A row whose day and tags came earlier in the same request in another currency. */
export class AdSpendCurrencyError extends Error {
  constructor(
    readonly index: number,
    what: string,
    readonly currency: string,
  ) {
    super(`rows[${index}].currency: ${what} came earlier in ${currency}; one day's campaign has one currency`)
  }
}

/**
 * Stores a project's ad spend (TABLES.adSpend), the rows of one request with the same day and tags added up
 * (sumAdSpend). Each stored row replaces any row stored before for its day and tags, so re-sending a day with
 * corrected figures, or the same file again, counts each day's campaign once. Answers the rows stored.
 */
export async function insertAdSpend(
  ch: ClickHouse,
  project: string,
  rows: readonly AdSpendRow[],
  now = Date.now(),
): Promise<number> {
  const summed = sumAdSpend(rows)
  const updated_at = dateTime64Text(now)
  const lines = summed.map((r) =>
    JSON.stringify({ project_id: project, ...r, cost: Math.round(r.cost * 10_000) / 10_000, updated_at }),
  )
  await insertJsonEachRow(ch, TABLES.adSpend, lines.join('\n'), randomUUID())
  return summed.length
}
