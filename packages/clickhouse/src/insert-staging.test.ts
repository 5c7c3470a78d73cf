import { randomUUID } from 'node:crypto'
import { readdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { insertJsonEachRow } from './insert'
import { TABLES } from './tables'
import { useEmbeddedClickHouse } from './testing'

const db = useEmbeddedClickHouse('tp-insert-staging-')

const ID = randomUUID()
const row = () =>
  JSON.stringify({
    event_id: ID,
    project_id: 'p',
    type: 'track',
    event: 'Staged',
    anonymous_id: 'a',
    timestamp: new Date().toISOString(),
    received_at: new Date().toISOString(),
  })

it('removes a staged file the disk refused part-way, so a full disk does not fill up with them', async () => {
  const dir = db.ch.stagingDir!
  // the next staged files' names, each a link to /dev/full: the kernel answers their write with ENOSPC, as a full
  // disk does once a file is created (this file's inserts are the first of its worker, whose count starts at 1)
  const names = Array.from({ length: 50 }, (_, i) => `${process.pid}-${i + 1}.ndjson`)
  for (const name of names) symlinkSync('/dev/full', join(dir, name))
  await expect(insertJsonEachRow(db.ch, TABLES.events, `${row()}\n`, 'full-1')).rejects.toThrow(/ENOSPC/)
  expect(readdirSync(dir)).toHaveLength(names.length - 1)

  // room again: the retry lands, and leaves nothing behind
  for (const name of readdirSync(dir)) rmSync(join(dir, name))
  await insertJsonEachRow(db.ch, TABLES.events, `${row()}\n`, 'full-1')
  expect(readdirSync(dir)).toEqual([])
  const rs = await db.ch.client.query({
    query: `SELECT count() AS n FROM ${TABLES.events}`,
    format: 'JSONEachRow',
  })
  expect(await rs.json()).toEqual([{ n: 1 }])
})
