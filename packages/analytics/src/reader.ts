import type { ClickHouse } from '@touchpoint/clickhouse'
import type { QueryParams } from './params'

export type Row = Record<string, unknown>

/** A number from a JSON cell (ClickHouse writes 64-bit integers as strings). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))

/** An ISO instant from a JSON cell of a UTC DateTime64 (ClickHouse writes `2026-05-04 09:00:00.000`). */
export const utcTime = (v: unknown): string => `${String(v).replace(' ', 'T')}Z`

/** Runs analytics queries on the read-only handle: no report can write, whatever its SQL. */
export class Reader {
  constructor(private readonly ch: ClickHouse) {}

  async rows<T = Row>(query: string, params: QueryParams): Promise<T[]> {
    const rs = await this.ch.readonly.query({
      query,
      query_params: params.values,
      format: 'JSONEachRow',
      // no other settings: the embedded read-only session refuses any change (64-bit integers arrive as text)
      clickhouse_settings: this.ch.readonlySettings,
    })
    return (await rs.json()) as T[]
  }
}
