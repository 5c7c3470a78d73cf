import { type Claims, EMAIL_ROUTES, HONEYPOT_LINK_ID, signToken, verifyToken } from '@touchpoint/node'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { ProjectConfig } from '../config'
import { EmailClassifier } from '../email/classify'
import { clickCall, openCall } from '../email/events'
import { redirectTarget } from '../email/redirect'
import type { RequestFacts } from '../enrich/event-row'
import { acceptedRecord, rejectedRecord } from '../ingest/process'
import type { Metrics } from '../metrics'
import type { OutboundRecord, Sink } from '../pipeline/sink'
import type { ProjectRegistry } from '../projects'
import { SpoolWriteError } from '../spool/types'

export interface EmailRouteOptions {
  registry: ProjectRegistry
  sink: Sink
  metrics: Metrics
  /** the countries of IP addresses (GEOIP_COUNTRY_CSV) */
  countries?: { lookup(ip: string): string }
}

/** The 43-byte transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64')
const NO_STORE = 'no-store, no-cache, must-revalidate, private'

/** Answers the pixel: the GIF, never cached, whatever the token held. */
export const sendPixelGif = (reply: FastifyReply) =>
  reply
    .header('content-type', 'image/gif')
    .header('cache-control', NO_STORE)
    .header('pragma', 'no-cache')
    .header('expires', '0')
    .send(PIXEL_GIF)
const INVALID_LINK_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Invalid link</title><p>This link is not valid. It may have been changed or cut short; please use the link in the original email.</p>\n'

/** The longest a click's redirect waits for its record to be written (see `keep`). */
const CLICK_WAIT_MS = 1000

/** Resolves when `work` does, or after `ms`, whichever is first. */
function atMost(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

interface Params {
  project: string
  token: string
}

/**
 * The email routes: GET /e/o/{project}/{token}.gif (the open pixel) and GET|HEAD /e/c/{project}/{token} (the
 * click redirect). A token that does not verify against the project's keys is kept in events_rejected with its
 * reason; the pixel still answers with the GIF (an image must never break), the redirect with a plain 400 page
 * and no Location, so the redirect can never be pointed somewhere else.
 */
export const emailRoutes: FastifyPluginAsync<EmailRouteOptions> = async (
  app,
  { registry, sink, metrics, countries },
) => {
  const classifiers = new Map(
    registry.projects.flatMap((p) => (p.email ? [[p.id, new EmailClassifier(p.email)] as const] : [])),
  )
  const classifierOf = (project: ProjectConfig) => classifiers.get(project.id)
  // as for other events, a pipeline that builds rows itself takes the call and builds its row after the answer
  const deferRows = sink.buildsRows === true

  // an open or a click from one of the project's own addresses (a colleague trying a campaign) is internal traffic
  const factsOf = (req: FastifyRequest, projectId: string, receivedAt: number): RequestFacts => ({
    ...(registry.isInternal(projectId, req.ip) && { internal: true }),
    projectId,
    trusted: false,
    source: 'email',
    receivedAt,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
    sentAt: undefined,
  })

  /**
   * The country of the reader's own request: an open a person's mail client fetched itself, or a person's click.
   * An image proxy's fetch (Gmail's, Yahoo's), a machine's open (Apple's prefetch) and a scanner's click come from
   * addresses that say nothing of where the reader is, and place nobody.
   */
  const countryOf = (req: FastifyRequest, theReaders: boolean) =>
    (theReaders && countries?.lookup(req.ip)) || ''

  /** Verifies the token; on failure returns the rejected record to keep instead. */
  const check = (
    req: FastifyRequest,
    kind: Claims['kind'],
    receivedAt: number,
  ): { rejected: OutboundRecord } | { project: ProjectConfig; claims: Claims; facts: RequestFacts } => {
    const { project: projectId, token: raw } = req.params as Params
    const token = kind === 'open' ? raw.replace(/\.gif$/, '') : raw
    const project = registry.byId(projectId)
    const keys = project?.email?.keys
    const v = keys ? verifyToken(token, keys) : undefined
    const reason = !project
      ? 'unknown project'
      : !keys
        ? 'email tracking is not configured for this project'
        : !v?.ok
          ? `token ${v?.reason ?? 'malformed'}`
          : v.claims.kind !== kind
            ? `a ${v.claims.kind} token on the ${kind} route`
            : undefined
    if (reason || !project || !v?.ok) {
      const facts = factsOf(req, project?.id ?? projectId.slice(0, 64), receivedAt)
      metrics.rejected.inc({ code: 'TP_ERR_EMAIL_TOKEN' })
      return {
        rejected: rejectedRecord(
          facts,
          req.url.split('/').slice(0, 3).join('/'),
          'TP_ERR_EMAIL_TOKEN',
          [{ path: 'token', message: reason ?? 'invalid' }],
          token,
        ),
      }
    }
    return { project, claims: v.claims, facts: factsOf(req, project.id, receivedAt) }
  }

  /**
   * Email routes answer even when storage is failing (an image or a person's click must not break). They answer
   * once their record is written, as every other call is: the answers of a spool write's group then go out
   * together, which made the pixel 51% faster than answering at once and writing behind (13,745 against 9,075
   * opens a second, the main thread 59 against 101 µs an open: `tsx bench/cpu-per-request.ts --kinds pixel`), and
   * an open or click answered is one kept. Through Kafka, a broker that stops answering holds a produce for
   * seconds before its records go to the local spool, so neither waits for a sink in trouble for long: a click,
   * which a person waits for, at most CLICK_WAIT_MS; an open, not at all while the sink reports anything but 'ok'
   * (a timer for each open, as the click has, cost it 3 µs of its 56). Shutdown waits for the writes in flight.
   */
  const inFlight = new Set<Promise<void>>()
  const keep = (req: FastifyRequest, records: OutboundRecord[]) => {
    const write = sink
      .append(records)
      .catch((err: Error) => {
        // a spool the disk does not take is said once by the pipeline (spool-health.ts), not per open
        if (!(err instanceof SpoolWriteError))
          req.log.error({ err, reqId: req.id }, 'could not record an email event')
      })
      .finally(() => inFlight.delete(write))
    inFlight.add(write)
    return write
  }
  /** The write, to wait for while the sink is 'ok'; nothing to wait for while it is degraded or down. */
  const unlessTroubled = (write: Promise<void>) => (sink.status() === 'ok' ? write : undefined)
  app.addHook('onClose', async () => {
    await Promise.all(inFlight)
  })

  const pixel = async (req: FastifyRequest, reply: FastifyReply) => {
    const now = Date.now()
    const r = check(req, 'open', now)
    if ('rejected' in r) await unlessTroubled(keep(req, [r.rejected]))
    else if (r.claims.kind === 'open') {
      const verdict = classifierOf(r.project)!.open(
        req.headers['user-agent'] ?? '',
        req.ip,
        r.claims.sentAt,
        now,
      )
      const call = openCall(r.claims, verdict, r.facts, r.project.email!)
      metrics.accepted.inc({ project: r.project.id })
      const country = countryOf(req, !verdict.machine && !verdict.proxy)
      const { record } = acceptedRecord(call, r.facts, deferRows, undefined, undefined, country)
      await unlessTroubled(keep(req, [record]))
    }
    return sendPixelGif(reply)
  }

  const click = async (req: FastifyRequest, reply: FastifyReply) => {
    const now = Date.now()
    const r = check(req, 'click', now)
    if ('rejected' in r || r.claims.kind !== 'click') {
      if ('rejected' in r) await atMost(keep(req, [r.rejected]), CLICK_WAIT_MS)
      return reply
        .code(400)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', NO_STORE)
        .send(INVALID_LINK_PAGE)
    }
    const { claims, project } = r
    const email = project.email!
    const verdict = classifierOf(project)!.click(
      {
        method: req.method,
        ua: req.headers['user-agent'] ?? '',
        ip: req.ip,
        sentAt: claims.sentAt,
        emailId: claims.emailId,
        linkId: claims.linkId ?? '',
      },
      now,
      claims.linkId === HONEYPOT_LINK_ID,
    )
    // the hand-off makes whoever runs the landing page the recipient: a machine gets none, so a sandbox that
    // opens the link in a browser (a security gateway's detonation) does not become the person or give them a
    // visit; a person taken for a scanner (a click seconds after the send) is linked when they identify instead
    const handoff = verdict.scanner
      ? undefined
      : signToken(
          {
            kind: 'handoff',
            campaignId: claims.campaignId,
            emailId: claims.emailId,
            recipient: claims.recipient,
            sentAt: Math.floor(now / 1000),
          },
          email.keys[0]!,
        )
    const { location, landing } = redirectTarget(claims, email.utmSource, handoff)
    const secrets = registry.secretsOf(project.id)
    const call = clickCall(claims, verdict, r.facts, landing, secrets)
    metrics.accepted.inc({ project: project.id })
    await atMost(
      keep(req, [
        acceptedRecord(call, r.facts, deferRows, undefined, secrets, countryOf(req, !verdict.scanner)).record,
      ]),
      CLICK_WAIT_MS,
    )
    return reply.code(302).header('location', location).header('cache-control', NO_STORE).send()
  }

  app.get(`${EMAIL_ROUTES.open}/:project/:token`, pixel)
  // Fastify answers HEAD for every GET route; the click route handles HEAD itself so it can record a scanner
  app.route({
    method: ['GET', 'HEAD'],
    url: `${EMAIL_ROUTES.click}/:project/:token`,
    handler: click,
    exposeHeadRoute: false,
  })
}
