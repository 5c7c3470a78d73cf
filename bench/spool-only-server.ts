import { TABLES } from '@touchpoint/clickhouse'
import { signToken, verifyToken } from '@touchpoint/node'
import Fastify from 'fastify'
import { loadConfig } from '../services/collector/src/config'
import { EmailClassifier } from '../services/collector/src/email/classify'
import { openCall } from '../services/collector/src/email/events'
import type { RequestFacts } from '../services/collector/src/enrich/event-row'
import { acceptedRecord } from '../services/collector/src/ingest/process'
import { createLogger } from '../services/collector/src/logger'
import { Metrics } from '../services/collector/src/metrics'
import { sendPixelGif } from '../services/collector/src/routes/email'
import { startEmbeddedStorage } from '../services/collector/src/server'
import { CHROME_UA } from '../test/helpers/http'

/**
 * The email pixel without its token check and its open's classification, for bench/pixel-ceiling.ts: a bare
 * Fastify route that builds each open's record as the collector's pixel does (from one open call, verified and
 * classified once at start) and appends it to the collector's real embedded pipeline (spool, row builder,
 * loader, chDB in this process), answering the same GIF without waiting for the fsync, as the pixel does.
 * What it reaches is what the storage pipeline leaves the pixel on these cores, whatever its request path does.
 *
 * `tsx bench/spool-only-server.ts <dataDir>`; prints `ready <port>`. GET /stored answers the rows stored.
 */
const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: spool-only-server.ts <dataDir>')
const config = loadConfig({ TOUCHPOINT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
const project = config.keys.projects[0]!
const email = project.email!
const { ch, sink } = await startEmbeddedStorage(config, new Metrics(), createLogger('warn'))

const sentAt = Math.floor(Date.now() / 1000) - 3600
const token = signToken(
  { kind: 'open', campaignId: 'bench', emailId: 'bench-1', recipient: 'customer-1', sentAt },
  email.keys[0]!,
)
const verified = verifyToken(token, email.keys)
if (!verified.ok || verified.claims.kind !== 'open') throw new Error('the open token does not verify')
const claims = verified.claims
const verdict = new EmailClassifier(email).open(CHROME_UA, '127.0.0.1', sentAt, Date.now())

const app = Fastify({ logger: false })
app.get('/gif/:token', async (req, reply) => {
  const facts: RequestFacts = {
    projectId: project.id,
    trusted: false,
    source: 'email',
    receivedAt: Date.now(),
    ip: req.ip,
    userAgent: req.headers['user-agent'],
    sentAt: undefined,
  }
  const { record } = acceptedRecord(openCall(claims, verdict, facts, email), facts, true)
  sink.append([record]).catch((err: Error) => console.error(err))
  return sendPixelGif(reply)
})
app.get('/stored', async () => {
  const rs = await ch.client.query({
    query: `SELECT count() AS n FROM ${TABLES.events}`,
    format: 'JSONEachRow',
  })
  const [row] = (await rs.json()) as [{ n: string }]
  return { stored: Number(row.n), queuedBytes: sink.spool.queuedBytes }
})
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`ready ${(app.server.address() as { port: number }).port}\n`)
