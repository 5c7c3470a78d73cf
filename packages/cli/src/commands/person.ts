import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Readable, type Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { parseArgs } from 'node:util'
import {
  appliedVersions,
  type ClickHouse,
  createClickHouse,
  type ErasureResult,
  erasePerson,
  exportPerson,
  migrate,
  type PersonRequest,
} from '@touchpoint/clickhouse'
import { recipientIdOf } from '@touchpoint/node'
import type { CliConfig } from '../config'
import { findProject, requireKnownProject } from '../projects-file'
import { postToCollector, streamFromCollector } from './collector-api'

const FORGET_USAGE = 'usage: touchpoint forget --user USER_ID [--project dev] [--json]'
const EXPORT_USAGE = 'usage: touchpoint export --user USER_ID [--project dev] [--out FILE]'

/** The person a command names, from --user and --project. */
function personArgs(
  args: string[],
  usage: string,
  extra: { out?: { type: 'string' }; json?: { type: 'boolean' } },
) {
  const { values } = parseArgs({
    args,
    options: { user: { type: 'string' }, project: { type: 'string', default: 'dev' }, ...extra },
  })
  if (!values.user) throw new Error(usage)
  return { req: { project: values.project as string, userId: values.user as string }, values }
}

/**
 * The person as the collector finds them (routes/person.ts), for the CLI reading ClickHouse itself: an email
 * address also stands for the recipient id of its emails, with the recipientSecret of the projects file.
 */
function withRecipientId(config: CliConfig, req: PersonRequest): PersonRequest {
  const recipientId = recipientIdOf(req.userId, findProject(config, req.project)?.email?.recipientSecret)
  return recipientId ? { ...req, alsoKnownAs: [recipientId] } : req
}

/** Runs `work` on ClickHouse opened by the CLI itself (CLICKHOUSE_URL, or the data directory's chDB). */
async function withClickHouse<T>(
  config: CliConfig,
  project: string,
  work: (ch: ClickHouse) => Promise<T>,
): Promise<T> {
  requireKnownProject(config, project)
  const ch = await createClickHouse({ ...config.clickhouse, dataDir: join(config.dataDir, 'clickhouse') })
  try {
    return await work(ch)
  } finally {
    await ch.close()
  }
}

/**
 * `touchpoint forget --user ID`: GDPR erasure. Asks the running collector (/api/forget, admin key); with
 * CLICKHOUSE_URL, or when no collector answers, erases in ClickHouse itself.
 */
export async function forgetCommand(config: CliConfig, args: string[]): Promise<string> {
  const { req, values } = personArgs(args, FORGET_USAGE, { json: { type: 'boolean' } })
  let result: ErasureResult | undefined
  if (!config.clickhouse.url) result = await postToCollector<ErasureResult>(config, '/api/forget', req)
  result ??= await withClickHouse(config, req.project, async (ch) => {
    // a data directory a collector of an older version left has no erasure ledger yet: its next start would add it
    const applied = await appliedVersions(ch).catch(() => new Set<number>())
    if (applied.size) await migrate(ch)
    return erasePerson(ch, withRecipientId(config, req))
  })
  if (values.json) return `${JSON.stringify(result, null, 2)}\n`
  const d = result.deleted
  const devices = result.anonymousIds.filter((id) => !result.userIds.includes(id)).length
  const linked = devices ? ` and ${devices} linked anonymous id(s)` : ''
  const aka = result.userIds.filter((id) => id !== result.userId)
  const also = aka.length ? ` (also as ${aka.join(', ')})` : ''
  return `erased ${result.userId}${also}${linked} in project ${result.project}: ${d.events} events, ${d.sessionParts} session parts, ${d.identities} identity links, ${d.rejected} refused calls\n`
}

/**
 * `touchpoint export --user ID`: a person's data as NDJSON (GDPR access and portability; exportPerson says what
 * it holds), to stdout or to a file only its owner can read (`--out`), which then gets a summary on stdout. Asks
 * the running collector (/api/export); with CLICKHOUSE_URL, or when no collector answers, reads ClickHouse itself.
 */
export async function exportCommand(config: CliConfig, args: string[], stdout: Writable): Promise<string> {
  const { req, values } = personArgs(args, EXPORT_USAGE, { out: { type: 'string' } })
  const out = values.out ? createWriteStream(values.out as string, { mode: 0o600 }) : stdout
  const copy = (lines: Readable) => copyCounting(lines, out)
  let counts: Record<string, number> | undefined
  if (!config.clickhouse.url) {
    const body = await streamFromCollector(config, '/api/export', req)
    if (body) counts = await copy(Readable.fromWeb(body as WebReadableStream<Uint8Array>))
  }
  counts ??= await withClickHouse(config, req.project, async (ch) =>
    copy(Readable.from((await exportPerson(ch, withRecipientId(config, req))).lines)),
  )
  if (out === stdout) return ''
  out.end()
  await finished(out)
  const n = (kind: string) => counts[kind] ?? 0
  return `exported ${req.userId} in project ${req.project} to ${values.out}: ${n('event')} events, ${n('identity')} identity links, ${n('refused')} refused calls\n`
}

/** Copies NDJSON lines to `out`, waiting on it when it is full, and counts them by their `kind`. */
async function copyCounting(lines: Readable, out: Writable): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for await (const line of createInterface({ input: lines, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (!line) continue
    const kind = /^\{"kind":"(\w+)"/.exec(line)?.[1] ?? ''
    counts[kind] = (counts[kind] ?? 0) + 1
    if (!out.write(`${line}\n`)) await new Promise((r) => out.once('drain', r))
  }
  return counts
}
