import { describe, expect, it } from 'vitest'
import { ddlContext } from './ddl'
import { MIGRATIONS } from './index'

describe('migrations DDL', () => {
  it('uses plain engines on one server', () => {
    const sql = MIGRATIONS.flatMap((m) => m.up(ddlContext(undefined))).join('\n')
    expect(sql).not.toContain('ON CLUSTER')
    expect(sql).toContain('ENGINE = ReplacingMergeTree()')
    expect(sql).toContain('ENGINE = AggregatingMergeTree()')
  })

  it('runs ON CLUSTER with Replicated engines when a cluster is named', () => {
    const sql = MIGRATIONS.flatMap((m) => m.up(ddlContext('analytics'))).join('\n')
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS events ON CLUSTER `analytics`')
    expect(sql).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}')",
    )
    expect(sql).toContain(
      "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/identities', '{replica}')",
    )
    expect(sql).toContain(
      'ALTER TABLE events ON CLUSTER `analytics`\n      ADD COLUMN IF NOT EXISTS anonymous_id_hash',
    )
    expect(sql).toContain('ALTER TABLE events ON CLUSTER `analytics` MATERIALIZE COLUMN session_id_hash')
    expect(sql).toContain(
      "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/session_parts', '{replica}')",
    )
    // every replica's view fills the replicated table from the inserts that replica takes
    expect(sql).toContain(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS session_parts_mv ON CLUSTER `analytics` TO session_parts',
    )
    expect(sql).toContain(
      'ALTER TABLE events ON CLUSTER `analytics` MODIFY COLUMN path LowCardinality(String)',
    )
    expect(sql).toContain(
      'ALTER TABLE events_rejected ON CLUSTER `analytics`\n      UPDATE raw = replaceRegexpAll(raw,',
    )
  })

  it('numbers migrations uniquely and in order', () => {
    const versions = MIGRATIONS.map((m) => m.version)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(new Set(versions).size).toBe(versions.length)
  })

  it('refuses a cluster name that is not an identifier', () => {
    expect(() => ddlContext('x; DROP TABLE events')).toThrow(/not a valid ClickHouse identifier/)
  })
})
