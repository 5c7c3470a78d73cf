import { createWriteStream } from 'node:fs'

export const IMPORT_START = Date.UTC(2024, 0, 1)

/**
 * An NDJSON export of `rows` historic orders, one a minute from 2024-01-01, written in 10,000-row chunks with
 * backpressure (a million rows is about 180 MB, never held in memory).
 */
export async function writeOrderRows(path: string, rows: number, event = 'Order Completed'): Promise<void> {
  const out = createWriteStream(path)
  for (let i = 0; i < rows; i += 10_000) {
    let chunk = ''
    for (let j = i; j < Math.min(rows, i + 10_000); j++)
      chunk += `${JSON.stringify({
        type: 'track',
        event,
        userId: `c${j % 5000}`,
        timestamp: new Date(IMPORT_START + j * 60_000).toISOString(),
        properties: { orderId: `o${j}`, revenue: (j % 200) + 0.5, currency: 'EUR', channel: 'web' },
      })}\n`
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r, e) => out.end((err?: Error) => (err ? e(err) : r())))
}
